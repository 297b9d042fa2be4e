// The API's JSON shapes as the CLI reads them (src/api/render.ts writes them).

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
  done?: boolean;
}

export interface EndpointView {
  id: string;
  url: string;
  description: string | null;
  tenant: string | null;
  eventTypes: string[] | null;
  auth: { type: string } & Record<string, unknown>;
  headers: Record<string, string>;
  timeoutMs: number;
  rateLimitPerSecond: number | null;
  maxConcurrency: number;
  retrySchedule: number[] | null;
  payloadFormat: string;
  enabled: boolean;
  disabledReason: string | null;
  failingSince: string | null;
  createdAt: string;
  updatedAt: string;
  secret?: string;
}

export interface EventView {
  id: string;
  type: string;
  tenant: string | null;
  data: unknown;
  idempotencyKey: string | null;
  sourceId: string | null;
  createdAt: string;
}

export interface PublishView {
  id: string;
  type: string;
  tenant: string | null;
  createdAt: string;
  deliveries: number;
  replayed: boolean;
}

export interface DeliveryView {
  id: string;
  eventId: string;
  endpointId: string;
  tenant: string | null;
  eventType: string;
  status: string;
  attempts: number | AttemptView[];
  nextAttemptAt: string | null;
  lastCode: string | null;
  lastStatus: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface AttemptView {
  id: string;
  deliveryId: string;
  endpointId: string;
  eventId: string;
  createdAt: string;
  durationMs: number;
  responseStatus: number | null;
  code: string;
  outcome: string;
  message: string | null;
  request: { headers: Record<string, string> };
  response: { headers: Record<string, string>; body: string | null } | null;
}

export interface TestView {
  eventId: string;
  deliveryId: string;
  attempt: AttemptView | null;
}

export interface DoctorCheckView {
  step: string;
  status: 'pass' | 'warn' | 'fail' | 'skip';
  code: string;
  message: string;
  detail: Record<string, unknown>;
  durationMs?: number;
}

export interface DoctorReportView {
  target: string;
  ok: boolean;
  checks: DoctorCheckView[];
  diagnosis: { code: string; summary: string; fix: string };
}

export interface SourceView {
  id: string;
  name: string;
  tenant: string | null;
  ingressUrl: string;
  verify: { scheme: string } & Record<string, unknown>;
  allowIps: string[] | null;
  eventType: unknown;
  maxBodyBytes: number | null;
  createdAt: string;
}

export interface InboundRequestView {
  id: string;
  sourceId: string;
  receivedAt: string;
  verdict: string;
  code: string | null;
  reason: string | null;
  status: number;
  remoteAddress: string | null;
  eventId: string | null;
}

export interface ApiKeyView {
  id: string;
  name: string | null;
  role: string;
  tenant: string | null;
  prefix?: string;
  key?: string;
  createdAt: string;
  revokedAt?: string | null;
  lastUsedAt?: string | null;
}

export interface SigningKeyView {
  id: string;
  tenant: string | null;
  generation: number;
  state: 'next' | 'active' | 'retiring' | 'retired';
  publicKey: string;
  createdAt: string;
  signsFrom: string;
  retiresAt: string | null;
  ageSeconds: number;
}

export interface SigningKeyGroup {
  tenant: string | null;
  keySetUrl: string;
  nextRotationAt: string | null;
  keys: SigningKeyView[];
}
