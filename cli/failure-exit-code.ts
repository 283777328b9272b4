/**
 * The exit code of a command that fails without giving its answer (a refused option, a
 * folder that is not a lake, an unreadable table): 1, unless the command declares another.
 * `drift` declares 2 ("cannot judge"), since its 1 means "drift found" and starts a retrain.
 */
import type { Command } from 'commander';

export const defaultFailureExitCode = 1;

const declared = new WeakMap<Command, number>();

/** Declares the exit code `command` fails with; returns the command, for chaining. */
export function failsWith<C extends Command>(command: C, exitCode: number): C {
  declared.set(command, exitCode);
  return command;
}

/** The exit code a failure of `command` (or of no command in particular) ends the process with. */
export const failureExitCodeOf = (command: Command | undefined): number => (command && declared.get(command)) ?? defaultFailureExitCode;
