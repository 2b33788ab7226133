import type { Role } from './roles.js';

/** Who is acting: what a verified access token says about the caller. */
export interface Actor {
  id: string;
  role: Role;
  orgUnitId: string;
  sessionId: string;
  mustChangePassword: boolean;
  /** Expiry of the access token, seconds since the epoch (absent on actors made without a token). */
  exp?: number;
}
