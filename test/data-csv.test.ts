import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv, readCsvRecords } from '../src/data/csv.js';
import { loadCsv } from '../src/data/csv-node.js';
import { loadIris } from '../src/data/iris.js';

describe('readCsvRecords (RFC 4180)', () => {
  it('handles quotes, doubled quotes, delimiters and line breaks inside quotes', () => {
    const text = 'a,"b,c","say ""hi""","two\nlines"\n1,2,3,4';
    expect(readCsvRecords(text).map((r) => r.fields)).toEqual([
      ['a', 'b,c', 'say "hi"', 'two\nlines'],
      ['1', '2', '3', '4'],
    ]);
  });

  it('accepts LF, CRLF and CR line ends, skips blank lines and a BOM, and tracks line numbers', () => {
    const text = '\ufeffx,y\r\n1,2\r\n\r\n   \r\n3,4\r5,6\n\n';
    const records = readCsvRecords(text);
    expect(records.map((r) => r.fields)).toEqual([['x', 'y'], ['1', '2'], ['3', '4'], ['5', '6']]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 5, 6]);
    // a record after a multi-line quoted field starts on the right line
    expect(readCsvRecords('"a\r\nb",1\r\n2,3').map((r) => r.line)).toEqual([1, 3]);
  });

  it('keeps a quoted empty field and an empty last field', () => {
    expect(readCsvRecords('""\n1,').map((r) => r.fields)).toEqual([[''], ['1', '']]);
  });

  it('reports unclosed quotes and text after a closing quote with their line', () => {
    expect(() => readCsvRecords('a,b\n1,"2\n3,4')).toThrow(/quoted field starting at line 2 is never closed/);
    expect(() => readCsvRecords('a,b\n1,"2"x')).toThrow(/unexpected "x" after a closing quote at line 2/);
  });
});

describe('parseCsv', () => {
  it('reads numeric features and a numeric target (the last column by default)', () => {
    const d = parseCsv('size, rooms ,price\n50,2,100.5\n80,3,-2e2\n.5,+1,0\n');
    expect(d.featureNames).toEqual(['size', 'rooms']);
    expect(d.targetName).toBe('price');
    expect(d.x.shape).toEqual([3, 2]);
    expect(d.x.toArray()).toEqual([[50, 2], [80, 3], [0.5, 1]]);
    expect(Array.from(d.y)).toEqual([100.5, -200, 0]);
    expect(d.labels).toBeUndefined();
    expect(d.classNames).toBeUndefined();
  });

  it('turns a non-numeric target into sorted class indices, keeping the names', () => {
    const d = parseCsv('f,kind\n1,"dog"\n2,cat\n3, dog \n4,"bird, small"\r\n');
    expect(d.classNames).toEqual(['bird, small', 'cat', 'dog']);
    expect(Array.from(d.labels!)).toEqual([2, 1, 2, 0]);
    expect(Array.from(d.y)).toEqual([2, 1, 2, 0]);
  });

  it('picks the target by name, by index (negative from the end), or none', () => {
    const text = 'a,b,c\n1,2,3\n4,5,6';
    const byName = parseCsv(text, { target: 'a' });
    expect(byName.featureNames).toEqual(['b', 'c']);
    expect(Array.from(byName.y)).toEqual([1, 4]);
    expect(Array.from(parseCsv(text, { target: 1 }).y)).toEqual([2, 5]);
    expect(Array.from(parseCsv(text, { target: -3 }).y)).toEqual([1, 4]);
    const none = parseCsv(text, { target: null });
    expect(none.featureNames).toEqual(['a', 'b', 'c']);
    expect('y' in none).toBe(false);
    expect(() => parseCsv(text, { target: 'd' })).toThrow(/options.target "d" is not a column; columns are "a", "b", "c"/);
    expect(() => parseCsv(text, { target: 3 })).toThrow(/options.target 3 is not a column index \(the file has 3 columns\)/);
  });

  it('reads headerless files and other delimiters', () => {
    const d = parseCsv('1;2;x\n3;4;y', { header: false, delimiter: ';' });
    expect(d.featureNames).toEqual(['column1', 'column2']);
    expect(d.targetName).toBe('column3');
    expect(d.classNames).toEqual(['x', 'y']);
    expect(parseCsv('a\tb\n1\t2', { delimiter: '\t' }).x.toArray()).toEqual([[1]]);
    expect(() => parseCsv('a,b\n1,2', { header: false, target: 'b' })).toThrow(/needs header: true/);
    expect(() => parseCsv('a,b', { delimiter: '"' })).toThrow(/options.delimiter must be 'auto' or one character/);
  });

  it('names column, line and row for a missing value', () => {
    expect(() => parseCsv('a,b,y\n1,2,3\n4,,6')).toThrow(/missing value in feature column "b" at line 3 \(row 1 of x\)/);
    expect(() => parseCsv('a,y\n1,2\n\n3,  \n')).toThrow(/missing value in target column "y" at line 4 \(row 1 of x\)/);
    expect(() => parseCsv('a,y\n1,cat\n3,""')).toThrow(/missing class in target column "y" at line 3/);
  });

  it('names column and row for a non-numeric feature', () => {
    expect(() => parseCsv('a,b,y\n1,2,3\n4,five,6')).toThrow(/non-numeric value "five" in feature column "b" at line 3 \(row 1 of x\); feature columns must be numbers/);
    expect(() => parseCsv('a,y\n0x10,1')).toThrow(/non-numeric value "0x10"/);
    expect(() => parseCsv('a,y\nNaN,1')).toThrow(/missing value "NaN" in feature column "a" at line 2/);
    expect(() => parseCsv('a,y\n1e39,1')).toThrow(/1e39 in feature column "a" at line 2 \(row 0 of x\) is out of float32 range/);
  });

  it('checks the field count of every row', () => {
    expect(() => parseCsv('a,b,c\n1,2,3\n1,2\n')).toThrow(/line 3 has 2 fields, expected 3/);
    expect(() => parseCsv('')).toThrow(/holds no rows/);
    expect(() => parseCsv('a,b\n\n')).toThrow(/header but no data rows/);
    expect(() => parseCsv('y\n1\n2')).toThrow(/no feature columns/);
  });

  it('targetType and classNames control how the target is read', () => {
    const text = 'f,digit\n1,7\n2,10\n3,2\n4,7';
    const numeric = parseCsv(text);
    expect(numeric.classNames).toBeUndefined();
    const classes = parseCsv(text, { targetType: 'class' });
    expect(classes.classNames).toEqual(['2', '7', '10']); // numeric order, not '10' < '2'
    expect(Array.from(classes.labels!)).toEqual([1, 2, 0, 1]);
    const fixed = parseCsv('f,kind\n1,b\n2,b', { classNames: ['a', 'b', 'c'] });
    expect(fixed.classNames).toEqual(['a', 'b', 'c']);
    expect(Array.from(fixed.labels!)).toEqual([1, 1]);
    expect(() => parseCsv('f,kind\n1,b\n2,z', { classNames: ['a', 'b'] })).toThrow(/class "z" in target column "kind" at line 3 \(row 1 of x\) is not one of options.classNames \(a, b\)/);
    expect(() => parseCsv('f,kind\n1,b', { targetType: 'numeric' })).toThrow(/non-numeric value "b" in target column "kind"/);
    expect(() => parseCsv(text, { targetType: 'numeric', classNames: ['1'] })).toThrow(/targetType is 'numeric'/);
  });
});

describe('parseCsv: what it works out by itself', () => {
  it('detects comma, semicolon and tab delimiters, quotes respected', () => {
    const semi = parseCsv('a;b;y\n1;2;x\n3;4;z\n');
    expect(semi.delimiter).toBe(';');
    expect(semi.x.toArray()).toEqual([[1, 2], [3, 4]]);
    expect(parseCsv('a\tb\ty\n1\t2\t3').delimiter).toBe('\t');
    expect(parseCsv('a,b,y\n1,2,3').delimiter).toBe(',');
    // more semicolons than commas in the first line, but inside quotes: still comma
    expect(parseCsv('"a;b;c",y\n1,2').delimiter).toBe(',');
    // a semicolon file with decimal commas splits evenly only on ';', and the comma gets a hint
    const european = 'a;y\n1,5;2\n2,5;3';
    expect(() => parseCsv(european)).toThrow(/non-numeric value "1,5" in feature column "a" at line 2.*decimal comma/);
    // explicit delimiter wins; a one-column file falls back to ','
    expect(readCsvRecords('a;b;c,y\n1;2;3,4', ',')[0]!.fields).toEqual(['a;b;c', 'y']);
    expect(readCsvRecords('a;b;c,y\n1;2;3,4')[0]!.fields).toEqual(['a', 'b', 'c,y']);
    expect(readCsvRecords('x\n1\n2').length).toBe(3);
  });

  it('reads a first line of numbers as data, with a note; header: true and false override', () => {
    const d = parseCsv('1,2,0\n3,4,1\n');
    expect(d.x.shape).toEqual([2, 2]);
    expect(d.featureNames).toEqual(['column1', 'column2']);
    expect(d.notes).toEqual(['line 1 holds only numbers, so it is read as data, not as column names (header: true reads it as names)']);
    expect(parseCsv('1,2,0\n3,4,1\n', { header: true }).featureNames).toEqual(['1', '2']);
    expect(() => parseCsv('a,b,y\n3,4,1\n', { header: false })).toThrow(/non-numeric value "a" in feature column "column1" at line 1/);
    expect(parseCsv('a,b,y\n3,4,1\n').notes).toEqual([]);
    expect(() => parseCsv('a,y\n1,2', { header: 'yes' as never })).toThrow(/options.header must be true, false or 'auto'/);
  });

  it("drops pandas' unnamed index column with a note, unless told to keep it", () => {
    const pandas = ',sepal,petal,species\n0,5.1,1.4,setosa\n1,7.0,4.7,versicolor\n2,6.3,6.0,virginica\n3,5.0,1.3,setosa\n';
    const d = parseCsv(pandas);
    expect(d.featureNames).toEqual(['sepal', 'petal']);
    expect(d.x.toArray()).toEqual([[5.1, 1.4], [7, 4.7], [6.3, 6], [5, 1.3]].map((r) => r.map(Math.fround)));
    expect(d.notes).toEqual([
      "column 1 has no name and distinct values (0, 1, 2, …): read as the row index pandas' to_csv() writes, and dropped (keepIndexColumn: true keeps it)",
    ]);
    const kept = parseCsv(pandas, { keepIndexColumn: true });
    expect(kept.featureNames).toEqual(['', 'sepal', 'petal']);
    expect(kept.notes).toEqual([]);
    // re-saved by pandas it is "Unnamed: 0"; a target given by index still counts the file's columns
    const renamed = parseCsv('Unnamed: 0,f,y\n7,1,2\n9,3,4', { target: 2 });
    expect(renamed.featureNames).toEqual(['f']);
    expect(renamed.notes[0]).toMatch(/column 1 is named "Unnamed: 0" and distinct values \(7, 9\)/);
    // repeated values are data, not an index; and the column asked for as the target stays
    expect(parseCsv(',f,y\n1,1,2\n1,3,4').featureNames).toEqual(['', 'f']);
    expect(parseCsv(',f,y\n0,1,2\n1,3,4', { target: 0 }).featureNames).toEqual(['f', 'y']);
    expect(() => parseCsv(pandas, { keepIndexColumn: 'no' as never })).toThrow(/keepIndexColumn must be a boolean/);
  });

  it('a NaN or empty target is an error naming its line, for numbers and for classes', () => {
    expect(() => parseCsv('a,y\n1,2\n3,NaN\n')).toThrow(/missing value "NaN" in target column "y" at line 3 \(row 1 of x\)/);
    expect(() => parseCsv('a,y\n1,cat\n3,dog\n4,nan\n')).toThrow(/missing class "nan" in target column "y" at line 4 \(row 2 of x\)/);
    expect(() => parseCsv('a,y\n1,cat\n3,NA\n')).toThrow(/missing class "NA" in target column "y" at line 3/);
    expect(() => parseCsv('a,y\n1,cat\n3,\n')).toThrow(/missing class in target column "y" at line 3/);
    // a class list that names the value says it is a class after all
    expect(parseCsv('a,region\n1,NA\n2,EU', { classNames: ['EU', 'NA'] }).classNames).toEqual(['EU', 'NA']);
  });
});

describe('loadCsv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'neurite-csv-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads data/iris.csv into the Iris table', () => {
    const d = loadCsv(new URL('../data/iris.csv', import.meta.url).pathname, { target: 'species' });
    const iris = loadIris();
    expect(d.x.shape).toEqual([150, 4]);
    expect(d.classNames).toEqual(iris.classNames);
    expect(Array.from(d.labels!)).toEqual(Array.from(iris.labels));
  });

  it('names the file in errors', () => {
    const path = join(dir, 'bad.csv');
    writeFileSync(path, 'a,b\n1,x\n');
    expect(() => loadCsv(path, { target: 'a' })).toThrow(new RegExp(`loadCsv: ${path}: non-numeric value "x" in feature column "b" at line 2`));
    expect(() => loadCsv(join(dir, 'nope.csv'))).toThrow(/loadCsv: cannot read .*nope.csv: no such file/);
    expect(() => loadCsv(dir)).toThrow(/it is a directory/);
  });
});
