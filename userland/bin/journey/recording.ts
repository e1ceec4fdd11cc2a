// What journey recorded, as each of its views (the list, the page, the step view) receives it.

import type { JourneyEvent } from '../../../kernel/abi/journey.js';
import type { Journey } from '../../lib/journey/model.js';

/** What a view of the journeys gets. */
export interface Recording {
  /** Everything recorded, for a view that filters again. */
  events: JourneyEvent[];
  /** The filter the journeys were built with, if any. */
  filter?: string;
  journeys: Journey[];
  /** When the recording began: times are shown from here. */
  startNs: number;
  /** Events the ring could not keep. */
  lost: number;
  command: string;
}
