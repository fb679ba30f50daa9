'use strict';
/*
 * The harness shared by the SDK scenarios (scenario.js, scenario_files.js): config parsing, the
 * JSON report on stdout, the watchdog, and the step runner.
 *
 *   const { QB, config, step, expectError, call, expectObject, qbInit, run } =
 *     require('./harness').createScenario({ name: 'scenario.js', watchdogMs: 60000 });
 *   step('init', async () => { qbInit({ timeout: 10000 }); return {}; });
 *   run();
 *
 * Config comes from argv[2] or $OBJECTBASE_SDK_SCENARIO (JSON); without it: usage, exit 64.
 * stdout carries exactly one JSON object: {ok, sdk, steps: [{n, name, ok, result | error}]}.
 * Exit status: 0 when every step did what it should, 1 otherwise, 2 on the watchdog timeout.
 * Steps run in order and stop at the first failure (later steps depend on the session).
 */

// The SDK logs to stdout (e.g. "current platform: ..." in QB.init); keep stdout for our JSON. This
// runs when a scenario requires this module, so before anything can load the SDK.
const writeStdout = process.stdout.write.bind(process.stdout);
console.log = console.error;
console.info = console.error;

const QB = require('quickblox');

/** Calls an SDK method in its (err, result) callback style. */
function call(fn, ...args) {
  return new Promise((resolve, reject) => {
    fn(...args, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

function errorJson(err) {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return err;
}

/*
 * SDK calls in JSON mode must yield an object. This SDK version reports a network failure as
 * *success* with the body " " (spec §7.5), so a string here means the request never got an answer.
 */
function expectObject(value) {
  if (value === null || typeof value !== 'object') {
    throw new Error(`expected a JSON object, got ${JSON.stringify(value)} (network failure?)`);
  }
  return value;
}

/**
 * Reads the config and arms the watchdog. `name` is the script's file name (for the usage line);
 * `watchdogMs` bounds the whole run (each request has its own timeout, given to qbInit).
 */
function createScenario({ name, watchdogMs }) {
  const config = JSON.parse(process.argv[2] || process.env.OBJECTBASE_SDK_SCENARIO || 'null');
  if (!config) {
    console.error(`usage: node ${name} '{"api": "127.0.0.1:8443", "appId": 1, ...}'`);
    process.exit(64);
  }

  const report = { ok: false, sdk: `${QB.version} (build ${QB.buildNumber})`, steps: [] };
  let finished = false;

  function finish(code) {
    if (finished) return;
    finished = true;
    // Exit explicitly once stdout is flushed: SDK modules may keep handles open.
    writeStdout(JSON.stringify(report) + '\n', () => process.exit(code));
  }

  setTimeout(() => {
    report.steps.push({ n: report.steps.length + 1, name: 'watchdog', ok: false, error: 'scenario timed out' });
    finish(2);
  }, watchdogMs).unref();

  /** QB.init against config.api; `options` (hash, timeout, ...) are added to the SDK config. */
  function qbInit(options) {
    // Config as the 4th argument and both endpoints non-default: no account_settings call to
    // api.quickblox.com (spec §7.1). Chat is never connected, so its host is a dummy.
    QB.init(config.appId, config.authKey, config.authSecret, {
      endpoints: { api: config.api, chat: 'chat.invalid' },
      ...options,
      debug: { mode: config.debug ? 1 : 0 },
    });
  }

  const steps = [];
  function step(name, run) { steps.push({ name, run, expectFailure: false }); }
  function expectError(name, run) { steps.push({ name, run, expectFailure: true }); }

  async function main() {
    for (const [index, { name, run, expectFailure }] of steps.entries()) {
      const entry = { n: index + 1, name };
      report.steps.push(entry);
      try {
        const result = await run();
        if (expectFailure) {
          entry.ok = false;
          entry.error = { unexpectedSuccess: result === undefined ? null : result };
          return finish(1);
        }
        entry.ok = true;
        entry.result = result === undefined ? null : result;
      } catch (err) {
        entry.ok = expectFailure;
        entry[expectFailure ? 'result' : 'error'] = errorJson(err);
        if (!expectFailure) return finish(1);
      }
    }
    report.ok = true;
    return finish(0);
  }

  /** Runs the registered steps, prints the report and exits. */
  function run() {
    main().catch((err) => {
      report.steps.push({ n: report.steps.length + 1, name: 'scenario', ok: false, error: errorJson(err) });
      finish(1);
    });
  }

  return { QB, config, step, expectError, call, expectObject, qbInit, run };
}

module.exports = { createScenario };
