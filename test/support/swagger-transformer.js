// ts-jest wants name/version/factory; this hands the Nest Swagger CLI plugin to it, with the
// same options as nest-cli.json, so the tested app documents exactly what the built one does.
const plugin = require('@nestjs/swagger/plugin');
const options = require('../../nest-cli.json').compilerOptions.plugins[0].options;

module.exports.name = 'nestjs-swagger-transformer';
module.exports.version = 1;
module.exports.factory = (compiler) => plugin.before(options, compiler.program);
