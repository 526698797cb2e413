import type { OpenAPIObject } from '@nestjs/swagger';

type Schema = { type?: string; enum?: unknown[]; pattern?: string; description?: string };
type Parameter = { name?: string; in?: string; schema?: Schema };

/** With presets configured, `preset` is documented as their enum (query parameter and link body alike). */
export function documentPresets(document: OpenAPIObject, names: readonly string[]): OpenAPIObject {
  if (!names.length) return document;
  const narrow = (schema?: Schema) => {
    if (!schema) return;
    schema.enum = [...names];
    delete schema.pattern;
  };
  for (const item of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(item as Record<string, { parameters?: Parameter[] }>)) {
      for (const parameter of operation?.parameters ?? [])
        if (parameter.name === 'preset' && parameter.in === 'query') narrow(parameter.schema);
    }
  }
  for (const schema of Object.values(document.components?.schemas ?? {})) {
    narrow((schema as { properties?: Record<string, Schema> }).properties?.preset);
  }
  return document;
}
