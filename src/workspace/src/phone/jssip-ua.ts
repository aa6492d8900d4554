/**
 * The real user agent behind the workspace's phone: JsSIP 3 over the server's SIP WebSocket. Kept
 * apart from web-phone.ts so the component tests never load JsSIP.
 */
import { UA, WebSocketInterface } from 'jssip';
import type { PhoneUa, UaConfig } from './web-phone';

export function createJsSipUa(config: UaConfig): PhoneUa {
  const ua = new UA({
    sockets: [new WebSocketInterface(config.wsUrl)],
    uri: config.uri,
    authorization_user: config.authorizationUser,
    realm: config.realm,
    ha1: config.ha1,
    register: true,
    // The server's REGISTER expiry bounds this; a short one finds a dead socket soon.
    register_expires: 300,
    session_timers: false,
    // A dropped socket is retried after 2 s (JsSIP's first try), well inside the server's call grace
    // (SIP_WS_CALL_GRACE_S, 5 s); later tries at most 10 s apart, so a tab is back soon after an outage.
    connection_recovery_min_interval: 2,
    connection_recovery_max_interval: 10,
    user_agent: 'hotline-workspace (JsSIP)',
  });
  return {
    on: (event, listener) => ua.on(event as 'registered', listener),
    start: () => { ua.start(); },
    stop: () => { ua.stop(); },
    unregister: (options) => { ua.unregister(options); },
  };
}
