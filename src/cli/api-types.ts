// The API's JSON shapes as the CLI reads them: the wire models the server declares (src/wire/), under
// the names the commands use. No copy of its own any more: a field the server renames breaks the
// CLI's build, not its output.

import type { PageOf } from '../client/index.js';
import type { ApiKeyCreatedView, ApiKeyView as ApiKeyListView, DeliveryView as DeliveryListView, DeliveryWithAttemptsView, EndpointCreatedView, EndpointTestResultView, PublishResultView, SigningKeyGroupView } from '../wire/index.js';

export type { AttemptView, DoctorCheckView, DoctorReportView, EventView, InboundRequestView, SigningKeyView, SourceView } from '../wire/index.js';

/** A list page; the pull feed adds `done`. */
export type Page<T> = PageOf<T> & { done?: boolean };
/** An endpoint as listed, or as created (with its first secret). */
export type EndpointView = EndpointCreatedView;
export type PublishView = PublishResultView;
/** A delivery as listed (attempt count) or as read alone (attempt log). */
export type DeliveryView = DeliveryListView | DeliveryWithAttemptsView;
export type TestView = EndpointTestResultView;
/** A key as listed, or as created (the only time `key` is shown). */
export type ApiKeyView = ApiKeyListView | ApiKeyCreatedView;
export type SigningKeyGroup = SigningKeyGroupView;
