'use strict';
/*
 * Content (blobs) and Custom Objects File fields through the real QuickBlox JS SDK (npm quickblox
 * 2.23.0, unmodified) against a served Objectbase. Same contract as scenario.js:
 *
 * Usage: node scenario_files.js '<config JSON>'
 * Config: {api: "127.0.0.1:PORT", appId, authKey, authSecret, login, password, className, debug?: bool}
 * stdout carries exactly one JSON object: {ok, sdk, steps: [{n, name, ok, result | error}]}.
 * Exit status: 0 when every step did what it should, 1 otherwise, 2 on the watchdog timeout.
 *
 * Every byte the SDK uploads is fetched back (over the URLs the SDK builds) and compared.
 */

// Requiring the harness first redirects the SDK's stdout logging before the SDK loads.
const { QB, config, step, expectError, call, expectObject, qbInit, run } =
  require('./harness').createScenario({ name: 'scenario_files.js', watchdogMs: 90000 });
const crypto = require('crypto');

const sha256 = (buffer) => crypto.createHash('sha256').update(buffer).digest('hex');

/** GET a URL the SDK built and compare the bytes with what was uploaded. */
async function fetchBytes(url, expected) {
  const response = await fetch(url);
  const body = Buffer.from(await response.arrayBuffer());
  const result = { status: response.status, contentType: response.headers.get('content-type'), size: body.length };
  if (expected !== undefined) {
    result.matches = response.status === 200 && sha256(body) === sha256(expected);
    if (!result.matches) throw new Error(`bytes differ at ${url}: ${JSON.stringify(result)}`);
  }
  return result;
}

const state = {};

// Sizes chosen to cross the server's 1 MiB upload buffer; contents random so a mix-up shows.
const PRIVATE_BYTES = crypto.randomBytes(1536 * 1024 + 7);
const PUBLIC_BYTES = crypto.randomBytes(20000);
const MANUAL_BYTES = Buffer.from('uploaded in three SDK calls\n');
const AVATAR_BYTES = crypto.randomBytes(300000);

step('init', async () => {
  qbInit({ timeout: 30000 });
  return { version: QB.version };
});

step('createUserSession', async () => expectObject(await call(QB.createSession.bind(QB),
  { login: config.login, password: config.password })));

// content.createAndUpload: C1, then the multipart POST to `params`, then PUT …/complete with size.
step('createAndUploadPrivate', async () => {
  const blob = expectObject(await call(QB.content.createAndUpload.bind(QB.content), {
    file: PRIVATE_BYTES, name: 'private report.bin', type: 'application/octet-stream', size: PRIVATE_BYTES.length,
  }));
  state.privateBlob = blob;
  return blob;
});

step('getInfo', async () => expectObject(await call(QB.content.getInfo.bind(QB.content), state.privateBlob.id)));

step('privateUrlFetch', async () => {
  const url = QB.content.privateUrl(state.privateBlob.uid);
  return Object.assign({ url: url.replace(/token=.*/, 'token=…') }, await fetchBytes(url, PRIVATE_BYTES));
});

expectError('privateBlobWithoutToken', async () => {
  const result = await fetchBytes(QB.content.publicUrl(state.privateBlob.uid));
  if (result.status !== 200) throw result;
  return result;
});

// content.getFile parses GET /blobs/{uid}.json as JSON.
step('getFile', async () => expectObject(await call(QB.content.getFile.bind(QB.content), state.privateBlob.uid)));

step('createAndUploadPublic', async () => {
  const blob = expectObject(await call(QB.content.createAndUpload.bind(QB.content), {
    file: PUBLIC_BYTES, name: 'cat.png', type: 'image/png', size: PUBLIC_BYTES.length, public: true,
    tag_list: 'web,android',
  }));
  state.publicBlob = blob;
  return blob;
});

step('publicUrlFetch', async () => Object.assign({ url: QB.content.publicUrl(state.publicBlob.uid) },
  await fetchBytes(QB.content.publicUrl(state.publicBlob.uid), PUBLIC_BYTES)));

// The three calls createAndUpload makes, one by one; markUploaded without a size sends `size=undefined`.
step('create', async () => {
  const blob = expectObject(await call(QB.content.create.bind(QB.content),
    { name: 'manual.txt', content_type: 'text/plain' }));
  state.manualBlob = blob;
  return blob;
});

step('upload', async () => {
  const access = new URL(state.manualBlob.blob_object_access.params);
  const data = {};
  access.searchParams.forEach((value, key) => { data[key] = value; });
  data.file = MANUAL_BYTES;
  data.name = 'manual.txt';
  return call(QB.content.upload.bind(QB.content), { url: `${access.origin}${access.pathname}`, data });
});

step('markUploaded', async () => call(QB.content.markUploaded.bind(QB.content), { id: state.manualBlob.id }));

step('manualFetch', async () => fetchBytes(QB.content.privateUrl(state.manualBlob.uid), MANUAL_BYTES));

// The SDK would complete a blob whose upload never happened: the server must refuse.
step('createNeverUploaded', async () => {
  state.neverUploaded = expectObject(await call(QB.content.create.bind(QB.content),
    { name: 'ghost.txt', content_type: 'text/plain' }));
  return state.neverUploaded;
});

expectError('markUploadedWithoutUpload', async () => call(QB.content.markUploaded.bind(QB.content),
  { id: state.neverUploaded.id, size: 10 }));

step('list', async () => expectObject(await call(QB.content.list.bind(QB.content), { page: 1, per_page: 10 })));

// content.update sends GET /blobs/{id}.json?blob[name]=…: answered like getInfo, nothing changes.
step('update', async () => expectObject(await call(QB.content.update.bind(QB.content),
  { id: state.manualBlob.id, name: 'renamed.txt' })));

step('delete', async () => call(QB.content.delete.bind(QB.content), state.neverUploaded.id));

expectError('getInfoAfterDelete', async () => call(QB.content.getInfo.bind(QB.content), state.neverUploaded.id));

// Custom Objects File fields.
step('createRecord', async () => {
  const record = expectObject(await call(QB.data.create.bind(QB.data), config.className, { score_value: 1 }));
  state.recordId = record._id;
  return record;
});

step('uploadFile', async () => expectObject(await call(QB.data.uploadFile.bind(QB.data), config.className, {
  id: state.recordId, field_name: 'user_avatar', file: AVATAR_BYTES, name: 'avatar.png',
})));

step('downloadFile', async () => {
  const url = await call(QB.data.downloadFile.bind(QB.data), config.className,
    { id: state.recordId, field_name: 'user_avatar' });
  return Object.assign({ sameAsFileUrl: url === QB.data.fileUrl(config.className,
    { id: state.recordId, field_name: 'user_avatar' }) }, await fetchBytes(url, AVATAR_BYTES));
});

step('recordAfterUpload', async () => expectObject(await call(QB.data.list.bind(QB.data), config.className,
  { _id: state.recordId })));

step('deleteFile', async () => call(QB.data.deleteFile.bind(QB.data), config.className,
  { id: state.recordId, field_name: 'user_avatar' }));

step('fileUrlAfterDelete', async () => fetchBytes(QB.data.fileUrl(config.className,
  { id: state.recordId, field_name: 'user_avatar' })));

step('destroySession', async () => call(QB.destroySession.bind(QB)));

run();
