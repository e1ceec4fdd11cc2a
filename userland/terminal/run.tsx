// Mounting the interactive terminal on the real stdin/stdout. Only called when both are terminals:
// with a pipe on either side, tunlab runs scripts in plain text and never mounts ink.

import { render } from 'ink';
import { App, type AppProps } from './App.js';

export async function runTerminal(props: AppProps): Promise<void> {
  const instance = render(<App {...props} />, {
    // ^C belongs to the foreground job, never to tunlab itself.
    exitOnCtrlC: false,
    patchConsole: false,
  });
  await instance.waitUntilExit();
}
