import type { Sys } from '../../../kernel/abi/syscalls.js';
import type { Recording } from './main.js';
export async function writePage(_s: Sys, _p: string, _r: Recording): Promise<string | null> { return 'not yet'; }
