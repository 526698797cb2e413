#!/usr/bin/env node
// Runs ./openapi.ts under ts-node with the @nestjs/swagger CLI plugin (the options of
// nest-cli.json), so the document is the one the built app serves at /docs-json.
const { resolve } = require('node:path');
const root = resolve(__dirname, '../..');
const plugin = require('@nestjs/swagger/plugin');
const options = require(resolve(root, 'nest-cli.json')).compilerOptions.plugins[0].options;

require('ts-node').register({
  project: resolve(root, 'tsconfig.json'),
  transformers: (program) => ({ before: [plugin.before(options, program)] }),
});
require('./openapi.ts')
  .main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((error) => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  });
