// The modules the terminal's screen is drawn with, as one ES module bundle (dist/bundle/ui.mjs): ink
// and yoga load with top-level await, which the CommonJS chunks of the command cannot require. The
// launcher imports this before a chunk that uses them, and gives these to that chunk's require, by
// the ids it asks for (bin/chunk-loader.ts).

import * as ink from 'ink';
import react from 'react';
import * as jsxRuntime from 'react/jsx-runtime';

export const UI_MODULES: Record<string, unknown> = { ink, react, 'react/jsx-runtime': jsxRuntime };
