// Haiku's select events (Drivers.h): a driver's select hook is asked about one event at a time and
// answers by notifying the sync object, now if the event holds already, later when it comes true.

export const B_SELECT_READ = 1;
export const B_SELECT_WRITE = 2;
export const B_SELECT_ERROR = 3;
export const B_SELECT_PRI_READ = 4;
export const B_SELECT_PRI_WRITE = 5;
export const B_SELECT_HIGH_PRI_READ = 6;
export const B_SELECT_HIGH_PRI_WRITE = 7;
export const B_SELECT_DISCONNECTED = 8;

export type SelectEvent = number;
/** tunlab's own event for POLLRDHUP: the peer will send no more (Haiku has no such event). */
export const B_SELECT_RDHUP = 9;
