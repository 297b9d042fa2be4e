// The codes of spec section 8, shared by delivery attempts and the doctor: one fault has one code
// wherever it is seen. Each carries the plain-language explanation and the fix a support engineer
// would give.

export interface AttemptCodeInfo {
  summary: string;
  fix: string;
}

export const ATTEMPT_CODES = {
  ok: { summary: 'The endpoint accepted the webhook.', fix: 'Nothing to fix.' },
  invalid_url: {
    summary: 'The URL cannot be parsed or uses a scheme hookd does not deliver to (http, https, amqp, amqps, nats, mqtt, mqtts, redis, rediss).',
    fix: 'Correct the endpoint URL, e.g. https://crm.example.com/webhooks.',
  },
  blocked_address: {
    summary: 'The URL resolves to a private or reserved address, which the SSRF policy refuses.',
    fix: 'Use a publicly routable address, or ask the operator to allow the range with HOOKD_ALLOW_PRIVATE.',
  },
  dns_not_found: {
    summary: 'The host name does not exist (NXDOMAIN).',
    fix: 'Check the spelling of the host name and that its DNS record is published.',
  },
  dns_failure: {
    summary: 'The host name could not be resolved (the DNS server failed or timed out).',
    fix: "Check the DNS servers of the receiver's domain; try again later if it is a transient outage.",
  },
  connection_refused: {
    summary: 'Nothing accepts connections on that port (or a firewall rejects them).',
    fix: 'Start the receiving service, check the port in the URL, and open it in the firewall.',
  },
  connect_timeout: {
    summary: 'The TCP handshake got no answer: a firewall is probably dropping the packets.',
    fix: "Allow hookd's egress addresses in the receiver's firewall or security group, and check the port.",
  },
  connection_reset: {
    summary: 'The receiver reset the connection.',
    fix: 'Check the receiving server or proxy logs: it closed the connection abruptly (crash, TLS or proxy policy).',
  },
  tls_cert_expired: {
    summary: "The receiver's TLS certificate has expired.",
    fix: 'Renew the certificate on the receiving server (e.g. with your ACME client) and reload it.',
  },
  tls_cert_not_yet_valid: {
    summary: "The receiver's TLS certificate is not valid yet.",
    fix: 'Check the clock of the machine that issued the certificate, or wait until its start date.',
  },
  tls_cert_untrusted: {
    summary: "The receiver's TLS certificate is self-signed or from an unknown issuer.",
    fix: 'Install a certificate from a public CA, including the full chain of intermediates.',
  },
  tls_hostname_mismatch: {
    summary: "The receiver's TLS certificate does not cover this host name.",
    fix: 'Issue a certificate whose subject alternative names include the host in the URL, or correct the URL.',
  },
  tls_handshake_failed: {
    summary: 'The TLS handshake failed: no protocol version or cipher in common.',
    fix: 'Enable TLS 1.2 or 1.3 with modern ciphers on the receiving server.',
  },
  plain_http: {
    summary: 'The endpoint uses plain HTTP: payloads and credentials travel unencrypted.',
    fix: 'Serve the endpoint over HTTPS and change the URL to https://.',
  },
  http_redirect: {
    summary: 'The endpoint answered with a redirect, which webhooks never follow.',
    fix: 'Use the final URL (the Location header) as the endpoint URL.',
  },
  http_not_found: {
    summary: 'The receiver answered 404: the path does not exist.',
    fix: "Check the path in the URL against the receiver's route.",
  },
  http_method_not_allowed: {
    summary: 'The receiver answered 405: the path exists but does not accept POST.',
    fix: 'Make the route accept POST, or point the endpoint at the route that does.',
  },
  http_unauthorized: {
    summary: 'The receiver answered 401: credentials are missing or wrong.',
    fix: "Set the endpoint's auth (bearer token, basic, API key header) to what the receiver expects.",
  },
  http_forbidden: {
    summary: 'The receiver answered 403: the credentials are valid but not permitted, or the IP is restricted.',
    fix: "Grant the credentials access, or allow hookd's egress addresses in the receiver's IP allowlist.",
  },
  http_gone: {
    summary: 'The receiver answered 410 Gone: it no longer wants these webhooks.',
    fix: 'The endpoint was disabled. If that was a mistake, fix the receiver and re-enable the endpoint.',
  },
  http_rate_limited: {
    summary: 'The receiver answered 429: it is rate limiting hookd.',
    fix: "Lower the endpoint's rateLimitPerSecond or maxConcurrency, or raise the receiver's limit.",
  },
  http_client_error: {
    summary: 'The receiver refused the request with a 4xx status (often: it rejected the payload).',
    fix: "Read the response body in the attempt log: it usually says which field the receiver did not accept.",
  },
  http_server_error: {
    summary: 'The receiver failed with a 5xx status.',
    fix: "Check the receiver's application logs for the error; hookd keeps retrying on schedule.",
  },
  timeout: {
    summary: 'The receiver did not answer within the endpoint timeout.',
    fix: "Answer 2xx at once and process the webhook asynchronously, or raise the endpoint's timeoutMs.",
  },
  slow_response: {
    summary: 'The receiver answered, but slower than half the timeout.',
    fix: 'Acknowledge first and process in the background, so a slow day does not turn into timeouts.',
  },
  response_too_large: {
    summary: 'The response body exceeded the size hookd reads.',
    fix: 'Answer webhooks with an empty or small body.',
  },
  invalid_json: {
    summary: 'The payload is not valid JSON.',
    fix: 'Fix the JSON at the line and column given (often a missing comma or quote).',
  },
  schema_mismatch: {
    summary: "The payload does not match the event type's schema.",
    fix: 'Add the missing fields and correct the types listed, or update the event type schema.',
  },
  auth_token_failed: {
    summary: 'hookd could not obtain an OAuth2 access token from the token URL.',
    fix: 'Check the tokenUrl, clientId, clientSecret and scope of the endpoint, and that the token server is up.',
  },
  tls_client_cert_rejected: {
    summary: "The receiver rejected hookd's client certificate (mTLS).",
    fix: "Configure the endpoint's mtls cert and key with a certificate the receiver trusts.",
  },
  network_error: {
    summary: 'The connection failed with an unexpected network error.',
    fix: 'Check the message in the attempt log; retry later.',
  },
  broker_auth_failed: {
    summary: 'The message broker refused the credentials (or the user may not use that virtual host, subject, topic or stream).',
    fix: "Set the endpoint's basic auth (username and password) to a broker user with publish rights on the target.",
  },
  broker_no_route: {
    summary: 'The broker has nowhere to put the message: no such exchange, no queue bound to the routing key, no JetStream stream on the subject, or no Redis stream.',
    fix: 'Create the exchange and bind a queue to the routing key, add a JetStream stream covering the subject, or create the stream (XGROUP CREATE ... MKSTREAM).',
  },
  broker_confirm_timeout: {
    summary: 'The broker did not confirm the message within the endpoint timeout (publisher confirm, JetStream ack, PUBACK or XADD reply).',
    fix: "Check the broker's health (disk and memory alarms, cluster state); raise the endpoint's timeoutMs if the broker is slow but healthy.",
  },
  broker_rejected: {
    summary: 'The broker refused the message (a negative acknowledgement or an error reply).',
    fix: "Read the message in the attempt log: it names the broker's reason (queue full, policy, permissions).",
  },
  message_too_large: {
    summary: 'The message is larger than the broker accepts.',
    fix: "Raise the broker's limit (RabbitMQ max_message_size, NATS max_payload, MQTT message_size_limit) or publish smaller events.",
  },
  endpoint_disabled: {
    summary: 'The endpoint is disabled, so its pending deliveries were cancelled.',
    fix: 'Re-enable the endpoint and recover the cancelled deliveries.',
  },
  ordering_released: {
    summary: 'An operator released the ordering key this delivery waited on, which cancelled the key\'s waiting deliveries.',
    fix: 'Re-publish the events that still matter, or recover the cancelled deliveries (they are then sent in key order again).',
  },
  endpoint_deleted: {
    summary: 'The endpoint was deleted, so its pending and in-flight deliveries were cancelled (an attempt already on the wire is not recorded).',
    fix: 'Nothing to fix; create a new endpoint to receive these events.',
  },
  no_events: {
    summary: 'No event of the types this endpoint subscribes to has been published.',
    fix: 'Check that the sending system publishes these event types, and the eventTypes filter of the endpoint.',
  },
  events_filtered: {
    summary: 'Matching events were published, but none reached this endpoint (tenant or type filter).',
    fix: "Align the endpoint's tenant and eventTypes with the events being published.",
  },
  transform_failed: {
    summary: "The endpoint's transform threw, ran past its CPU or memory limit, or returned something that is not a webhook; nothing was sent.",
    fix: 'Read the error in the attempt log, fix the transform (try it with POST /v1/endpoints/{id}/transform/test) and retry the delivery.',
  },
  transform_cancelled: {
    summary: "The endpoint's transform returned null for this event, so the delivery was cancelled without sending.",
    fix: 'Nothing to fix if that was intended; otherwise change the transform so it returns the webhook for such events.',
  },
} as const satisfies Record<string, AttemptCodeInfo>;

export type AttemptCode = keyof typeof ATTEMPT_CODES;

export function isAttemptCode(value: string): value is AttemptCode {
  return Object.hasOwn(ATTEMPT_CODES, value);
}
