// The CSV writer of the activation log export: RFC 4180 quoting (commas, double quotes, CR,
// LF), CRLF records, empty fields for nothing, and text a spreadsheet would run as a formula
// kept as text; what it writes reads back field for field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvField, csvRecord, toCsv } from '../../../src/manager/capacity/csv.js';
import { parseCsv } from '../../helpers/csv.js';

describe('CSV', () => {
  it('leaves plain fields alone and writes nothing for null', () => {
    assert.equal(csvField('plain text'), 'plain text');
    assert.equal(csvField(''), '');
    assert.equal(csvField(null), '');
    assert.equal(csvField(undefined), '');
    assert.equal(csvField(42), '42');
    assert.equal(csvField(-3600), '-3600', 'a negative number stays a number');
    assert.equal(csvField(0.5), '0.5');
  });

  it('quotes a field with a comma, a double quote, a CR or an LF, doubling its quotes', () => {
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('"'), '""""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField('two\r\nlines'), '"two\r\nlines"');
    assert.equal(csvField('O"Brien, Jr.\nsecond'), '"O""Brien, Jr.\nsecond"');
    assert.equal(csvField('{"cores":2,"memoryGiB":null}'), '"{""cores"":2,""memoryGiB"":null}"');
  });

  it('keeps text a spreadsheet would run as a formula as text', () => {
    assert.equal(csvField('=1+2'), "'=1+2");
    assert.equal(csvField('+1'), "'+1");
    assert.equal(csvField('-1'), "'-1");
    assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvField('\tx'), "'\tx");
    assert.equal(csvField('=HYPERLINK("http://x","y")'), '"\'=HYPERLINK(""http://x"",""y"")"');
    assert.equal(csvField('a=b'), 'a=b', 'only at the start');
  });

  it('ends every record with CRLF, and reads back what it wrote', () => {
    assert.equal(csvRecord(['a', 1, null, 'b,c']), 'a,1,,"b,c"\r\n');
    const rows = [['x', 'y,z', 'quote "q"'], ['multi\nline', '', 'end\r\n'], ['', '', '']];
    const text = toCsv(['one', 'two', 'three'], rows);
    assert.equal(text.split('\r\n').length, 6, 'the header, three records (one holds a CRLF), and nothing after the last CRLF');
    assert.deepEqual(parseCsv(text), [['one', 'two', 'three'], ...rows]);
  });
});
