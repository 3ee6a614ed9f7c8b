// Query strings carry text only. The manager's validator coerces no types (a JSON body's
// `true` must not become the name "true"), so the query's numbers, booleans and lists are
// read here, by the route's own querystring schema, before validation. Only plain decimal
// numbers are numbers: "Infinity", "1e400", "0x10" or " 1" stay text, which the schema
// refuses (CAP-E0001), and bounds refuse what is too large.

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
};
type Query = Record<string, unknown>;

const DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/** The JSON types a schema allows. */
function typesOf(schema: Schema): string[] {
  if (schema.anyOf) return schema.anyOf.flatMap(typesOf);
  return schema.type === undefined ? [] : [schema.type].flat();
}

function scalar(value: unknown, schema: Schema): unknown {
  if (typeof value !== 'string') return value;
  const types = typesOf(schema);
  if ((types.includes('number') || types.includes('integer')) && DECIMAL.test(value)) return Number(value);
  if (types.includes('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/** The query with each field typed as its schema asks, when its text reads as that type; anything else is left for validation to refuse. */
export function typedQuery(schema: Schema | undefined, query: Query): Query {
  const properties = schema?.properties;
  if (!properties) return query;
  const out: Query = { ...query };
  for (const [name, value] of Object.entries(query)) {
    const field = properties[name];
    if (!field) continue;
    if (typesOf(field).includes('array')) {
      const items = field.items ?? {};
      out[name] = [value].flat().map((v) => scalar(v, items));
    } else {
      out[name] = scalar(value, field);
    }
  }
  return out;
}
