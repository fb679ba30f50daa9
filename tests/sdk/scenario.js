'use strict';
/*
 * Drives the real QuickBlox JS SDK (npm quickblox 2.23.0, unmodified) against a served Objectbase.
 *
 * Usage: node scenario.js '<config JSON>'   (or the JSON in $OBJECTBASE_SDK_SCENARIO)
 * Config: {api: "127.0.0.1:PORT", appId, authKey, authSecret, login, password, tag,
 *          className, debug?: bool}
 *
 * stdout carries exactly one JSON object: {ok, sdk, steps: [{n, name, ok, result | error}]}.
 * Everything else (the SDK's own console.log chatter, its debug log) goes to stderr.
 * Exit status: 0 when every step did what it should, 1 otherwise, 2 on the watchdog timeout.
 *
 * Steps run in order and stop at the first failure (later steps depend on the session).
 * To extend: add a step(...) call; use expectError(...) for calls that must fail.
 */

// Requiring the harness first redirects the SDK's stdout logging before the SDK loads.
const { QB, config, step, expectError, call, expectObject, qbInit, run } =
  require('./harness').createScenario({ name: 'scenario.js', watchdogMs: 60000 });

// Each request has its own timeout; watchdogMs bounds the whole run.
const init = (hash) => qbInit({ hash, timeout: 10000 });

// Shared between steps.
const state = {};

const SEED = {
  score_value: 665,
  progress: '0.12',
  expert_mode: false,
  game_mode_name: 'deathmatch',
  user_location: '11.13, 45.52',
  date: '2019-09-21 21:21:00',
  completed_levels: [1, 2, 3],
};

step('init', async () => {
  init('sha1');
  return { version: QB.version, buildNumber: QB.buildNumber };
});

step('createSession', async () => {
  const session = expectObject(await call(QB.createSession.bind(QB)));
  state.appToken = session.token;
  return session;
});

step('login', async () => {
  const user = expectObject(await call(QB.login.bind(QB), { login: config.login, password: config.password }));
  state.userId = user.id;
  return user;
});

step('getSession', async () => expectObject(await call(QB.getSession.bind(QB))));

step('createRecord', async () => {
  const record = expectObject(await call(QB.data.create.bind(QB.data), config.className, SEED));
  state.recordId = record._id;
  return record;
});

// Two more records: one below the filter threshold, one above it (proves filter and sort order).
step('createRecordLow', async () => expectObject(await call(QB.data.create.bind(QB.data), config.className,
  { score_value: 50, game_mode_name: 'ctf' })));

step('createRecordHigh', async () => expectObject(await call(QB.data.create.bind(QB.data), config.className,
  { score_value: '900', expert_mode: 'true', game_mode_name: 'rage' })));

step('listFiltered', async () => expectObject(await call(QB.data.list.bind(QB.data), config.className,
  { score_value: { gt: 100 }, sort_desc: 'score_value', limit: 10 })));

step('countFiltered', async () => expectObject(await call(QB.data.list.bind(QB.data), config.className,
  { score_value: { gt: 100 }, count: 1 })));

step('countAll', async () => expectObject(await call(QB.data.list.bind(QB.data), config.className, { count: 1 })));

step('listProjected', async () => expectObject(await call(QB.data.list.bind(QB.data), config.className,
  { _id: state.recordId, output: { include: 'score_value,game_mode_name' } })));

step('listAll', async () => expectObject(await call(QB.data.list.bind(QB.data), config.className)));

// Updates: a plain change, an operator, and the whole fetched record sent back (as the SDK's own tests do).
step('updateRecord', async () => expectObject(await call(QB.data.update.bind(QB.data), config.className,
  { _id: state.recordId, game_mode_name: 'ctf', completed_levels: [4, 5] })));

step('updateWithOperators', async () => expectObject(await call(QB.data.update.bind(QB.data), config.className,
  { _id: state.recordId, inc: { score_value: 10 }, push: { completed_levels: 6 } })));

step('updateResendingFetchedRecord', async () => {
  const listed = expectObject(await call(QB.data.list.bind(QB.data), config.className, { _id: state.recordId }));
  const record = Object.assign({}, listed.items[0], { progress: 0.5 });
  return expectObject(await call(QB.data.update.bind(QB.data), config.className, record));
});

// Deletes: one id, several ids, and by criteria (its criteria travel in a DELETE body).
step('createForDeletes', async () => {
  state.doomed = [];
  for (const score of [1001, 1002, 1003, 1004]) {
    const record = expectObject(await call(QB.data.create.bind(QB.data), config.className, { score_value: score }));
    state.doomed.push(record._id);
  }
  return state.doomed;
});

step('deleteOne', async () => expectObject(await call(QB.data.delete.bind(QB.data), config.className, state.doomed[0])));

step('deleteMany', async () => expectObject(await call(QB.data.delete.bind(QB.data), config.className,
  [state.doomed[1], state.doomed[2]])));

step('deleteByCriteria', async () => expectObject(await call(QB.data.delete.bind(QB.data), config.className,
  { score_value: { gt: 1003 } })));

step('countAfterDeletes', async () => expectObject(await call(QB.data.list.bind(QB.data), config.className, { count: 1 })));

// The id from login, not QB.service.getSession().user_id: the SDK keeps the app session object
// (user_id 0) after login, and users.get(0) silently becomes GET /users.json.
step('usersGetById', async () => expectObject(await call(QB.users.get.bind(QB.users), state.userId)));

step('usersGetByLogin', async () => expectObject(await call(QB.users.get.bind(QB.users), { login: config.login })));

step('usersGetByTags', async () => expectObject(await call(QB.users.get.bind(QB.users), { tags: config.tag })));

// An array of tags goes out as `tags[]=a%2Cb` (spec §3.2 U8).
step('usersGetByTagsArray', async () => expectObject(await call(QB.users.get.bind(QB.users),
  { tags: [config.tag, 'no-such-tag'] })));

step('listUsers', async () => expectObject(await call(QB.users.listUsers.bind(QB.users), {
  filter: { field: 'login', param: 'eq', value: config.login },
  order: { sort: 'asc', field: 'id' },
  page: 1,
  per_page: 10,
})));

step('logout', async () => call(QB.logout.bind(QB)));

step('getSessionAfterLogout', async () => expectObject(await call(QB.getSession.bind(QB))));

step('destroySession', async () => call(QB.destroySession.bind(QB)));

// The destroyed token must be refused (startSessionWithToken sends GET /session.json with it).
expectError('getSessionWithDestroyedToken', async () => call(QB.startSessionWithToken.bind(QB), state.appToken));

// A user session straight from POST /session.json (user[login] in the signature), signed with SHA-256.
step('initSha256', async () => {
  init('sha256');
  return { hash: QB.service.qbInst.config.hash };
});

step('createUserSessionSha256', async () => expectObject(await call(QB.createSession.bind(QB),
  { login: config.login, password: config.password })));

expectError('loginWrongPassword', async () => call(QB.login.bind(QB), { login: config.login, password: 'wrong-password' }));

step('destroyUserSession', async () => call(QB.destroySession.bind(QB)));

run();
