import { AppError } from '../shared/app-error.js';

/**
 * Errors of the embedded SIP engine. Codes are stable:
 * - `SIP_BIND_FAILED`: a UDP or TCP socket could not be bound (the message names address:port).
 * - `SIP_LEG_ENDED`: the leg ended before the operation completed (e.g. answer() and a CANCEL).
 * - `SIP_SEND_FAILED`: a message could not be written to the network.
 * - `SIP_TRANSACTION_TIMEOUT`: no final response within Timer F (RFC 3261 §17.1.2.2).
 * - `SIP_MEDIA_FAILED`: the media engine refused the offer/answer.
 */
export class SipError extends AppError {}
