import type { Sys } from '../../../kernel/abi/syscalls.js';
import type { Recording } from './main.js';
export async function stepThrough(_s: Sys, _r: Recording): Promise<string | null> { return 'not yet'; }
