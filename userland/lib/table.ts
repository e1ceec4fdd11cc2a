// Tables looked up by what a user typed. A plain object literal answers for names it inherits from
// Object.prototype: `syscall constructor` found a "system call", `set -o __proto__` an option,
// `[[:constructor:]]` a character class. A table made here has no prototype, so those are
// ordinary names that are simply not in it.

/** A frozen, prototype-less copy of `entries`: only its own keys are found in it. */
export function table<T>(entries: Record<string, T>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}
