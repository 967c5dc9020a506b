/**
 * PullPoint subscriptions (ONVIF Core §9.3.3, WS-BaseNotification): CreatePullPointSubscription,
 * PullMessages, Renew. Termination times are compared in camera time (CurrentTime is in each reply), so the
 * box's clock never has to agree with the camera's.
 */
import { QinheError } from '../../../runtime/core/errors.js';
import type { SoapClient } from '../soap/client.js';
import { NS } from '../soap/client.js';
import { child, text } from '../soap/xml.js';
import { parseNotifications, type RawEvent } from './raw-event.js';

export interface Subscription {
  /** Where PullMessages and Renew go (host rewritten to the configured one: cameras behind NAT lie). */
  address: URL;
  /** Seconds from now until the camera drops it (TerminationTime − CurrentTime). */
  ttlS: number;
}

const ACTION = {
  create: `${NS.events}/EventPortType/CreatePullPointSubscriptionRequest`,
  pull: `${NS.events}/PullPointSubscription/PullMessagesRequest`,
  renew: `${NS.wsnt}/SubscriptionManager/RenewRequest`,
  props: `${NS.events}/EventPortType/GetEventPropertiesRequest`,
};

function ttl(body: unknown, fallbackS: number): number {
  const cur = Date.parse(text(child(body, 'CurrentTime')) ?? '');
  const term = Date.parse(text(child(body, 'TerminationTime')) ?? '');
  if (!Number.isFinite(cur) || !Number.isFinite(term) || term <= cur) return fallbackS;
  return (term - cur) / 1000;
}

export async function createPullPoint(soap: SoapClient, eventsPath: string, terminationS: number, signal?: AbortSignal): Promise<Subscription> {
  const url = soap.url(eventsPath);
  const body = await soap.call(url, `<tev:CreatePullPointSubscription xmlns:tev="${NS.events}">`
    + `<tev:InitialTerminationTime>PT${terminationS}S</tev:InitialTerminationTime></tev:CreatePullPointSubscription>`,
  { action: ACTION.create, ...(signal ? { signal } : {}) });
  const res = child(body, 'CreatePullPointSubscriptionResponse');
  const addr = text(child(child(res, 'SubscriptionReference'), 'Address'));
  if (!addr) throw new QinheError('QH_ONVIF_HOSTILE', `${soap.host} CreatePullPointSubscription returned no address`);
  let parsed: URL;
  try {
    parsed = new URL(addr, url);
  } catch {
    throw new QinheError('QH_ONVIF_HOSTILE', `${soap.host} returned a bad subscription address`);
  }
  return { address: soap.url(parsed.pathname + parsed.search), ttlS: ttl(res, terminationS) };
}

export async function pullMessages(soap: SoapClient, sub: Subscription, timeoutS: number, limit: number, signal?: AbortSignal):
Promise<{ events: RawEvent[]; ttlS: number }> {
  const body = await soap.call(sub.address, `<tev:PullMessages xmlns:tev="${NS.events}"><tev:Timeout>PT${timeoutS}S</tev:Timeout>`
    + `<tev:MessageLimit>${limit}</tev:MessageLimit></tev:PullMessages>`,
  // The camera holds the request up to timeoutS before answering: the deadline must exceed it.
  { action: ACTION.pull, timeoutMs: timeoutS * 1000 + 5000, ...(signal ? { signal } : {}) });
  const res = child(body, 'PullMessagesResponse');
  if (res === undefined) throw new QinheError('QH_ONVIF_HOSTILE', `${soap.host} PullMessages reply has no PullMessagesResponse`);
  return { events: parseNotifications(res), ttlS: ttl(res, sub.ttlS) };
}

export async function renew(soap: SoapClient, sub: Subscription, terminationS: number, signal?: AbortSignal): Promise<number> {
  const body = await soap.call(sub.address, `<wsnt:Renew xmlns:wsnt="${NS.wsnt}"><wsnt:TerminationTime>PT${terminationS}S</wsnt:TerminationTime></wsnt:Renew>`,
    { action: ACTION.renew, ...(signal ? { signal } : {}) });
  const res = child(body, 'RenewResponse');
  if (res === undefined) throw new QinheError('QH_ONVIF_HOSTILE', `${soap.host} Renew reply has no RenewResponse`);
  return ttl(res, terminationS);
}

/** The event topics the camera announces (GetEventProperties TopicSet), as slash paths. */
export async function eventTopics(soap: SoapClient, eventsPath: string): Promise<string[]> {
  const body = await soap.call(soap.url(eventsPath), `<tev:GetEventProperties xmlns:tev="${NS.events}"/>`, { action: ACTION.props });
  const set = child(child(body, 'GetEventPropertiesResponse'), 'TopicSet');
  const out: string[] = [];
  const walk = (node: unknown, path: string[], depth: number): void => {
    if (node === null || typeof node !== 'object' || depth > 8) return;
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if (k.startsWith('@_') || k === '#text') continue;
      if (k === 'MessageDescription') { out.push(path.join('/')); continue; }
      for (const c of Array.isArray(v) ? v : [v]) walk(c, [...path, k], depth + 1);
    }
  };
  for (const s of Array.isArray(set) ? set : [set]) walk(s, [], 0);
  return [...new Set(out)].slice(0, 500);
}
