// Reads CSV as RFC 4180 writes it (the tests' own reader, to check what the manager exports):
// records end with CRLF, a quoted field may hold commas, CRLF, LF and doubled quotes. Anything
// else (a quote inside an unquoted field, text after a closing quote, a bare LF between
// records) is refused, so a sloppy writer fails the test instead of being read generously.
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`not RFC 4180 CSV at offset ${i}: ${why}`);
  };
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) fail('an unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') fail('a quote in an unquoted field');
        field += text[i++];
      }
    }
    record.push(field);
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text.startsWith('\r\n', i)) {
      i += 2;
      records.push(record);
      record = [];
      continue;
    }
    if (i >= text.length) fail('the last record does not end with CRLF');
    fail(`unexpected ${JSON.stringify(text[i])} after a field`);
  }
  return records;
}
