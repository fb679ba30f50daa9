// Parse Server peer for the Objectbase benchmark: one process, Express, PostgreSQL.
// Usage: node server.js   (settings from the environment, see bench/run.py)
'use strict';
const express = require('express');
const { ParseServer } = require('parse-server');

const port = Number(process.env.PARSE_PORT || 1337);
const databaseURI = process.env.PARSE_DATABASE_URI || 'postgres://postgres@127.0.0.1:5432/parse_bench';

async function main() {
  const server = new ParseServer({
    databaseURI,
    appId: process.env.PARSE_APP_ID || 'bench',
    masterKey: process.env.PARSE_MASTER_KEY || 'bench-master-key',
    serverURL: `http://127.0.0.1:${port}/parse`,
    logsFolder: process.env.PARSE_LOGS_FOLDER || './logs',
    // The schema is made by the bench with the master key, as an app's deploy step would.
    allowClientClassCreation: false,
  });
  await server.start();
  const app = express();
  app.use('/parse', server.app);
  app.get('/health', (req, res) => res.send('ok'));
  app.listen(port, '127.0.0.1', () => console.log(`parse-server listening on ${port}`));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
