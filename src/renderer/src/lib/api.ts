// The renderer's NextmaskApi: the preload bridge under Electron, or the loopback HTTP
// server (token in the URL fragment) when the renderer runs in a plain browser.
import {
  API_GLOBAL,
  type Envelope,
  type EventName,
  type Events,
  eventNames,
  type NextmaskApi,
  type NextmaskBridge,
  TOKEN_HEADER,
  unwrap,
} from '../../../shared/ipc';
import { decodeWire, encodeWire } from '../../../shared/wire';

type Listener = (payload: unknown) => void;

function listenerRegistry(subscribe: (dispatch: (event: EventName, payload: unknown) => void) => void) {
  const listeners = new Map<EventName, Set<Listener>>();
  subscribe((event, payload) => {
    for (const listener of listeners.get(event) ?? []) listener(payload);
  });
  return <E extends EventName>(event: E, listener: (payload: Events[E]) => void) => {
    const set = listeners.get(event) ?? new Set<Listener>();
    listeners.set(event, set);
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  };
}

export function fromBridge(bridge: NextmaskBridge): NextmaskApi {
  return {
    invoke: async (channel, args) => unwrap((await bridge.invoke(channel, args)) as Envelope<never>),
    on: listenerRegistry((dispatch) => bridge.on(dispatch)),
    pathForFile: (file) => bridge.pathForFile(file),
  };
}

export function fromHttp(origin: string, token: string): NextmaskApi {
  return {
    async invoke(channel, args) {
      const body = encodeWire(args);
      const response = await fetch(`${origin}/api/${encodeURIComponent(channel)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token },
        body,
        // A small commit (one stroke) outlives the page, so closing the tab does not drop it;
        // browsers cap keepalive bodies at 64 KiB.
        keepalive: channel === 'masks:commit' && body.length < 60_000,
      });
      return unwrap(decodeWire(await response.text()) as Envelope<never>);
    },
    on: listenerRegistry((dispatch) => {
      const source = new EventSource(`${origin}/events?token=${encodeURIComponent(token)}`);
      const forward = (event: MessageEvent<string>) => dispatch(event.type as EventName, decodeWire(event.data));
      // EventSource delivers named events only to listeners registered by name.
      for (const name of eventNames) source.addEventListener(name, forward);
    }),
  };
}

/** Picks the transport for this page. */
export function connect(win: Window = window): NextmaskApi {
  const bridge = (win as unknown as Record<string, NextmaskBridge | undefined>)[API_GLOBAL];
  if (bridge) return fromBridge(bridge);
  const token = new URLSearchParams(win.location.hash.slice(1)).get('token');
  if (!token)
    throw new Error('No preload bridge and no #token= in the URL: open the URL that `nextmask serve` prints.');
  return fromHttp(win.location.origin, token);
}
