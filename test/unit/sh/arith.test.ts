// Arithmetic expansion's evaluator. Results and messages as bash 5.2 gives them.

import { describe, expect, it } from 'vitest';
import { evaluateArithmetic } from '../../../userland/sh/arith.js';
import { ExpansionError } from '../../../userland/sh/errors.js';

function run(expr: string, init: Record<string, string> = {}): { value: bigint; vars: Map<string, string> } {
  const vars = new Map(Object.entries(init));
  const value = evaluateArithmetic(expr, { get: (k) => vars.get(k), set: (k, v) => void vars.set(k, v) });
  return { value, vars };
}

const value = (expr: string, init: Record<string, string> = {}): string => String(run(expr, init).value);

function error(expr: string, init: Record<string, string> = {}): string {
  try {
    run(expr, init);
  } catch (e) {
    expect(e).toBeInstanceOf(ExpansionError);
    expect((e as ExpansionError).code).toBe('arithmetic');
    return (e as Error).message;
  }
  throw new Error(`${expr} did not fail`);
}

describe('evaluateArithmetic', () => {
  it.each([
    ['1 + 2 * 3', '7'],
    ['(1 + 2) * 3', '9'],
    ['7 / 2', '3'],
    ['-7 / 2', '-3'],
    ['-7 % 3', '-1'],
    ['2 ** 10', '1024'],
    ['2 ** 3 ** 2', '512'],
    ['1 << 4 | 1', '17'],
    ['6 & 3 ^ 1', '3'],
    ['~0', '-1'],
    ['!0 + !5', '1'],
    ['3 > 2 && 2 > 3', '0'],
    ['0 || 7', '1'],
    ['1 < 2 == 1', '1'],
    ['5 >= 5', '1'],
    ['4 != 4', '0'],
    ['0 ? 1 : 2 ? 3 : 4', '3'],
    ['1, 2, 3', '3'],
    ['0x1F + 010 + 2#101', '44'],
    ['64#@ + 36#z', '97'],
    ['', '0'],
    ['  ', '0'],
    ['9223372036854775807 + 1', '-9223372036854775808'],
    ['-9223372036854775807 - 2', '9223372036854775807'],
    ['3 ** 64', '8733086111712066817'],
  ])('%s = %s', (expr, expected) => {
    expect(value(expr)).toBe(expected);
  });

  it('reads variables, as numbers or as expressions, unset and empty as 0', () => {
    expect(value('x * 2 + y + z', { x: '21', y: '', z: ' 3 ' })).toBe('45');
    expect(value('e + 1', { e: 'x * 2', x: '4' })).toBe('9');
    expect(value('h', { h: '0x10' })).toBe('16');
  });

  it('assigns, with compound operators and increments', () => {
    const { value: v, vars } = run('a = 5, b += a, c = a++ + ++a, d = a--, a <<= 1', { b: '1' });
    expect(v).toBe(12n);
    expect(Object.fromEntries(vars)).toEqual({ a: '12', b: '6', c: '12', d: '7' });
  });

  it('does not evaluate the side not taken by && || ?:', () => {
    const { vars } = run('0 && (x = 1), 1 || (y = 1), 1 ? z = 1 : (w = 1)');
    expect(Object.fromEntries(vars)).toEqual({ z: '1' });
  });

  it.each([
    ['1/0', '1/0: division by 0 (error token is "0")'],
    ['5 % (2 - 2)', '5 % (2 - 2): division by 0 (error token is "(2 - 2)")'],
    ['1+', '1+: syntax error: operand expected (error token is "+")'],
    ['1 +* 2', '1 +* 2: syntax error: operand expected (error token is "* 2")'],
    ['(1 + 2', "(1 + 2: missing `)' (error token is \"2\")"],
    ['1 2', '1 2: syntax error in expression (error token is "2")'],
    ['09', '09: value too great for base (error token is "09")'],
    ['1 $ 2', '1 $ 2: syntax error: invalid arithmetic operator (error token is "$ 2")'],
    ['3 = 4', '3 = 4: attempted assignment to non-variable (error token is "= 4")'],
    ['2 ** -1', '2 ** -1: exponent less than 0 (error token is "-1")'],
    ['1 ? 2', "1 ? 2: `:' expected for conditional expression (error token is \"2\")"],
  ])('%s fails: %s', (expr, message) => {
    expect(error(expr)).toBe(message);
  });

  it('stops a variable that refers to itself', () => {
    expect(error('x', { x: 'x + 1' })).toMatch(/expression recursion level exceeded/);
  });

  it('turns absurdly long or deep expressions into errors, not crashes', () => {
    expect(error('('.repeat(10_000) + '1' + ')'.repeat(10_000))).toMatch(/nested too deeply/);
    expect(error('!'.repeat(10_000) + '1')).toMatch(/nested too deeply/);
    const long = Array(100_000).fill('1').join('+');
    try {
      expect(value(long)).toBe('100000');
    } catch (e) {
      expect(e).toBeInstanceOf(ExpansionError);
    }
  });
});
