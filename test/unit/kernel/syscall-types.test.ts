// The syscall tables' contract is checked by the compiler: syscall-types.check.ts holds tables
// that break it in each way (argument, result, errno, a missing or an extra call), each marked as
// an expected error. Compiled here, it must give no diagnostic: every marked line is an error.

import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('syscall tables are typed by kernel/abi', () => {
  it('every wrong implementation in syscall-types.check.ts is a compile error, the right one is not', () => {
    const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
    const file = path.join(ROOT, 'test/unit/kernel/syscall-types.check.ts');
    const program = ts.createProgram([file], { ...config.options, noEmit: true, incremental: false });
    const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(file));
    const text = diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(text).toEqual([]);
  }, 60_000);
});
