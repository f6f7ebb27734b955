// GENERATED FILE, do not edit: embed/scripts/types.mjs writes it with openapi-typescript from
// the service's OpenAPI document (GET /api/v1/openapi.json, built by service/api/openapi.py from
// the pydantic models). To change a wire type, change the model, then regenerate with `make embed`
// (or `node scripts/types.mjs` in embed/). tests/unit/test_widget_types.py fails when it is stale.

// -- the widget's names (from scripts/types.mjs) -----------------------------------------------

type Schemas = components["schemas"];
type Json<R> = R extends { content: never } ? null : R extends { content: { "application/json": infer T } } ? T : never;
type Success<O extends OperationId> = operations[O]["responses"][Extract<keyof operations[O]["responses"], 200 | 201 | 202 | 204>];

/** An operation of /api/v1 by its operationId. */
export type OperationId = keyof operations;
/** An operation's JSON answer when it succeeds (null for 204 No Content). */
export type Answer<O extends OperationId> = Json<Success<O>>;
/** An operation's JSON request body. */
export type Body<O extends OperationId> = operations[O] extends { requestBody: { content: { "application/json": infer T } } } ? T : never;
/** An operation's query parameters. */
export type Query<O extends OperationId> = operations[O] extends { parameters: { query?: infer T } } ? NonNullable<T> : never;

export type Comment = Schemas["CommentOut"];
export type Anchor = Schemas["AnchorIn"];
export type ThreadInfo = Schemas["ThreadOut"];
export type ThreadPage = Answer<"list_comments">;
export type CommentDetail = Answer<"get_comment">;
export type Posted = Answer<"create_comment">;
export type SiteConfig = Answer<"site_config">;
/** POST sso/session and guest/session */
export type SessionAnswer = Answer<"sso_session" | "guest_session">;
/** The error envelope's inside: {"error": {code, message, fields}} */
export type ErrorBody = Schemas["ErrorBody"];
export type Sort = NonNullable<Query<"list_comments">["sort"]>;

// -- openapi-typescript's output --------------------------------------------------------------

export interface paths {
  "/api/v1/sites/{site}/config": {
    /** What the widget needs to know about a site */
    get: operations["site_config"];
  };
  "/api/v1/form-token": {
    /**
     * A form token for the composer (send it as form_token when posting)
     * @description Signed, time-stamped and bound to the site; reusable until SIDENOTE_FORM_TOKEN_MAX_AGE seconds old. Anonymous posts without a valid one are held as spam; posts sent sooner than min_compose_seconds after it was issued are held for a moderator (too_fast).
     */
    get: operations["form_token"];
  };
  "/api/v1/comments": {
    /**
     * A page of a thread's comments with their replies
     * @description Top-level comments (pinned first, on the first page), each with up to 100 replies in pre-order. Conditional requests with If-None-Match get 304.
     */
    get: operations["list_comments"];
    /**
     * Post a comment or a reply
     * @description Creates the thread on its first comment when thread_url is on one of the site's origins. The answer's edit_token (header X-Sidenote-Edit-Token) allows editing and deleting until edit_expires_at. With a reader session (Authorization: Bearer snr_…) the comment is the signed-in reader's: their name and identity, no form token needed. With an API token of the site (Authorization: Bearer snt_…) an integration posts without a form token; an unknown or revoked token is 401, another site's 403.
     */
    post: operations["create_comment"];
  };
  "/api/v1/comments/{comment_id}": {
    /** One comment with its ancestors and thread (permalinks) */
    get: operations["get_comment"];
    /** Delete your comment (X-Sidenote-Edit-Token within the edit window, or your session) */
    delete: operations["delete_comment"];
    /** Edit your comment (X-Sidenote-Edit-Token or your session, within the edit window) */
    patch: operations["edit_comment"];
  };
  "/api/v1/comments/{comment_id}/replies": {
    /** More of a comment's replies, in pre-order */
    get: operations["list_replies"];
  };
  "/api/v1/comments/{comment_id}/vote": {
    /** Vote on a comment (X-Sidenote-Voter, or as the signed-in reader); 0 withdraws it */
    post: operations["vote"];
  };
  "/api/v1/comments/{comment_id}/report": {
    /** Report a comment to the moderators */
    post: operations["report"];
  };
  "/api/v1/preview": {
    /** Render Markdown exactly as a posted comment would be */
    post: operations["preview"];
  };
  "/api/v1/counts": {
    /** Comment counts of up to 100 threads */
    get: operations["counts"];
  };
  "/api/v1/latest": {
    /** The newest approved comments of a site */
    get: operations["latest"];
  };
  "/api/v1/feed.atom": {
    /** Atom feed of a site's (or one thread's) newest comments */
    get: operations["feed"];
  };
  "/api/v1/sso/session": {
    /**
     * Exchange a site's SSO token (JWT) for a reader session
     * @description The token is HS256, signed with one of the site's active SSO secrets; `aud` must be the site's slug, `sub` and `exp` are required, `iat` is optional. Expired, forged, and wrong-site tokens answer 401 `sso_invalid` saying which; a token that cannot be read (not a JWT, a `crit` header, a non-string `kid`, a time claim that is not whole seconds) is 400 `validation_failed` on `token`.
     */
    post: operations["sso_session"];
  };
  "/api/v1/sso/logout": {
    /**
     * End the reader session sent as Authorization: Bearer
     * @description Ends an SSO or verified-guest session. An ended session answers 204 again.
     */
    post: operations["sso_logout"];
  };
  "/api/v1/guest/verify": {
    /**
     * Mail a guest a link that verifies their address and signs them in
     * @description Always 202 (nothing is revealed about the address); no mail beyond SIDENOTE_RATELIMIT_CONFIRM_MAIL per address and requester.
     */
    post: operations["guest_verify"];
  };
  "/api/v1/guest/session": {
    /**
     * Exchange a verified guest's one-time sign-in code for a reader session
     * @description The code signs in by itself only from the browser that asked for the verification mail (the same X-Sidenote-Voter); elsewhere the reader must confirm (confirm: true).
     */
    post: operations["guest_session"];
  };
  "/api/v1/me": {
    /** The signed-in reader: profile, comments (newest 200) and subscriptions */
    get: operations["me"];
    /** Change the signed-in reader's name (on their comments too) */
    patch: operations["rename_me"];
  };
  "/api/v1/me/export": {
    /** Download everything about the signed-in reader (JSON attachment) */
    get: operations["export_me"];
  };
  "/api/v1/me/comments": {
    /** Delete every comment of the signed-in reader (replies keep a tombstone) */
    delete: operations["delete_my_comments"];
  };
  "/api/v1/me/link": {
    /** A short-lived link to the signed-in reader's data page (the widget's menu) */
    post: operations["my_data_link"];
  };
  "/api/v1/moderation/session": {
    /** Who the credentials belong to, their scope and sites (and the CSRF token) */
    get: operations["whoami"];
    /** Log in as a moderator (sets the session cookie; answers the CSRF token) */
    post: operations["login"];
    /** Log out (ends the session and clears its cookie) */
    delete: operations["logout"];
  };
  "/api/v1/moderation/queue": {
    /** The moderation queue: one tab, filtered, newest first, cursor-paged */
    get: operations["moderation_queue"];
  };
  "/api/v1/moderation/counts": {
    /** How many comments each queue tab holds */
    get: operations["moderation_counts"];
  };
  "/api/v1/moderation/comments/{comment_id}/decision": {
    /** Approve, reject or mark one comment as spam */
    post: operations["decide_comment"];
  };
  "/api/v1/moderation/decisions": {
    /** The same decision on many comments, or lock/pre-moderate their threads or trust their authors (each answered on its own; one undo) */
    post: operations["decide_comments"];
  };
  "/api/v1/moderation/comments/{comment_id}": {
    /** Edit a comment as a moderator (marked as such) and/or pin it */
    patch: operations["patch_comment"];
  };
  "/api/v1/moderation/comments/{comment_id}/trust": {
    /** Trust (or stop trusting) the verified author of a comment on its site */
    post: operations["trust_author"];
  };
  "/api/v1/moderation/threads/{thread_id}": {
    /** Lock or unlock a thread, pre-moderate it, or correct its title and page URL */
    patch: operations["patch_thread"];
  };
  "/api/v1/moderation/undo": {
    /** Revert a recent action (its undo batch), within SIDENOTE_MODERATION_UNDO_SECONDS */
    post: operations["undo"];
  };
  "/api/v1/moderation/audit": {
    /** The audit log, newest first (filter by site, action, actor, target, time) */
    get: operations["audit_log"];
  };
  "/api/v1/moderation/audit.csv": {
    /** The audit log as CSV (same filters; at most 10,000 rows) */
    get: operations["audit_csv"];
  };
  "/api/v1/moderation/sites/{site}/rules": {
    /** A site's moderation rules */
    get: operations["get_rules"];
    /** Replace a site's moderation rules (admin scope on the site) */
    put: operations["put_rules"];
  };
  "/api/v1/moderation/sites/{site}/rules/dry-run": {
    /** Which of the last 30 days of comments these rules would reject, hold or mark as spam, compared with the current rules (nothing is saved) */
    post: operations["rules_dry_run"];
  };
  "/api/v1/moderation/bans": {
    /** Bans, newest first (active ones unless active=false) */
    get: operations["list_bans"];
    /** Ban a comment's author (or a value) by email, IP hash, voter id or identity */
    post: operations["create_ban"];
  };
  "/api/v1/moderation/bans/{ban_id}": {
    /** Lift a ban */
    delete: operations["lift_ban"];
  };
  "/api/v1/admin/tokens": {
    /** Every API token (admin on every site) */
    get: operations["list_tokens"];
    /** Create an API token (its secret is in this answer only) */
    post: operations["create_token"];
  };
  "/api/v1/admin/tokens/{token_id}": {
    /** Revoke an API token */
    delete: operations["revoke_token"];
  };
  "/api/v1/admin/moderators": {
    /** Every moderator account */
    get: operations["list_moderators"];
    /** Add a moderator account */
    post: operations["create_moderator"];
  };
  "/api/v1/admin/moderators/{moderator_id}": {
    /** Change a moderator's role, sites or password, or disable the account */
    patch: operations["patch_moderator"];
  };
  "/api/v1/subscriptions": {
    /**
     * Subscribe an address (double opt-in: a confirmation mail comes first)
     * @description Always 202 with the same body, whether the address is new, known, confirmed or limited: the answer reveals nothing about it. Nothing is mailed to an address before its owner confirms it; once confirmed, later subscriptions start at once.
     */
    post: operations["create_subscription"];
  };
  "/api/v1/moderation/sites/{site}/webhooks": {
    /** List a site's webhooks (moderate scope; secrets are never listed) */
    get: operations["list_webhooks"];
    /** Add a webhook (admin scope); the answer holds its secret, shown once */
    post: operations["create_webhook"];
  };
  "/api/v1/moderation/sites/{site}/webhooks/{webhook_id}": {
    /** Remove a webhook and its delivery log (admin scope) */
    delete: operations["delete_webhook"];
  };
  "/api/v1/moderation/sites/{site}/webhooks/{webhook_id}/test": {
    /** Queue a signed test delivery (event `ping`, comment null) */
    post: operations["test_webhook"];
  };
  "/api/v1/moderation/sites/{site}/webhooks/{webhook_id}/deliveries": {
    /** A webhook's delivery log, newest first: status, attempts, last error */
    get: operations["list_deliveries"];
  };
  "/api/v1/admin/sites/{site}/export": {
    /**
     * Export a site: threads, comments, votes, reports, moderation log, subscriptions
     * @description Streams Sidenote's export format (docs/export.schema.json); `sidenote import sidenote` reads it back. Needs the admin scope on the site.
     */
    get: operations["export_site"];
  };
  "/api/v1/admin/privacy/export": {
    /** Everything stored about an email address (admin on every site) */
    post: operations["privacy_export"];
  };
  "/api/v1/admin/privacy/erase": {
    /** Erase an email address: anonymise its comments, cancel its subscriptions */
    post: operations["privacy_erase"];
  };
}

export type webhooks = Record<string, never>;

export interface components {
  schemas: {
    /** AcceptedOut */
    AcceptedOut: {
      /**
       * Status
       * @default accepted
       * @constant
       */
      status?: "accepted";
    };
    /**
     * AnchorIn
     * @description The anchor of a top-level comment, as the widget sends and the API returns it.
     */
    AnchorIn: {
      /**
       * V
       * @constant
       */
      v: 1;
      /**
       * Kind
       * @enum {string}
       */
      kind: "quote" | "block" | "passage";
      quote: components["schemas"]["Quote"];
      /**
       * Quote End
       * @default null
       */
      quote_end?: string | null;
      /** Quote Length */
      quote_length: number;
      position: components["schemas"]["Position"];
      doc: components["schemas"]["Doc"];
      /**
       * Scope
       * @default null
       */
      scope?: string | null;
      /** @default null */
      passage?: components["schemas"]["Passage"] | null;
    };
    /** AuditEntryOut */
    AuditEntryOut: {
      /** Id */
      id: number;
      /** Site Id */
      site_id: number | null;
      /** Actor */
      actor: {
        [key: string]: unknown;
      };
      /** Action */
      action: string;
      /** Target */
      target: {
        [key: string]: unknown;
      };
      /** Subject Key */
      subject_key: string | null;
      /** Before */
      before: {
        [key: string]: unknown;
      } | null;
      /** After */
      after: {
        [key: string]: unknown;
      } | null;
      /** Reason */
      reason: string;
      /** Batch */
      batch: string;
      /** Created At */
      created_at: string;
      /** Redacted */
      redacted: boolean;
    };
    /** AuditPageOut */
    AuditPageOut: {
      /** Entries */
      entries: components["schemas"]["AuditEntryOut"][];
      /** Next Cursor */
      next_cursor: string | null;
    };
    /** AuthorIn */
    AuthorIn: {
      /**
       * Name
       * @default null
       */
      name?: string | null;
      /**
       * Email
       * @default null
       */
      email?: string | null;
      /**
       * Website
       * @default null
       */
      website?: string | null;
    };
    /** AuthorOut */
    AuthorOut: {
      /** Name */
      name: string | null;
      /** Website */
      website: string | null;
      /**
       * Avatar
       * @description Opaque seed for a generated avatar (never an email hash).
       */
      avatar: string;
      /** Verified */
      verified: boolean;
    };
    /** BanCreatedOut */
    BanCreatedOut: {
      ban: components["schemas"]["BanOut"];
      /** Rejected Ids */
      rejected_ids: number[];
      undo: components["schemas"]["UndoOut"];
    };
    /** BanIn */
    BanIn: {
      /**
       * Site
       * @description Defaults to the comment's site; none and no comment: every site
       * @default null
       */
      site?: string | null;
      /**
       * Kind
       * @enum {string}
       */
      kind: "email" | "ip_hash" | "voter" | "identity";
      /**
       * Comment Id
       * @default null
       */
      comment_id?: number | null;
      /**
       * Value
       * @description Instead of comment_id: the email, IP hash, voter id or identity key
       * @default null
       */
      value?: string | null;
      /**
       * Duration Days
       * @description null: until lifted
       * @default null
       */
      duration_days?: number | null;
      /**
       * Reason
       * @default
       */
      reason?: string;
      /**
       * Shadow
       * @default false
       */
      shadow?: boolean;
      /**
       * Reject Pending
       * @default false
       */
      reject_pending?: boolean;
    };
    /** BanLiftedOut */
    BanLiftedOut: {
      ban: components["schemas"]["BanOut"];
      undo: components["schemas"]["UndoOut"];
    };
    /** BanOut */
    BanOut: {
      /** Id */
      id: number;
      /** Site Id */
      site_id: number | null;
      /** Kind */
      kind: string;
      /** Shadow */
      shadow: boolean;
      /** Label */
      label: string;
      /** Reason */
      reason: string;
      /** Comment Id */
      comment_id: number | null;
      /** Created By */
      created_by: string;
      /** Created At */
      created_at: string | null;
      /** Expires At */
      expires_at: string | null;
      /** Lifted At */
      lifted_at: string | null;
      /** Active */
      active: boolean;
    };
    /** BansOut */
    BansOut: {
      /** Bans */
      bans: components["schemas"]["BanOut"][];
      /** Next Cursor */
      next_cursor: string | null;
    };
    /** BulkDecisionIn */
    BulkDecisionIn: {
      /** Ids */
      ids: number[];
      /**
       * Action
       * @description approve, reject or spam each comment; lock_thread or premoderate_thread each comment's thread (once per thread); trust_author each comment's verified author (once per author)
       * @enum {string}
       */
      action: "approve" | "reject" | "spam" | "lock_thread" | "premoderate_thread" | "trust_author";
      /**
       * Reason
       * @default
       */
      reason?: string;
    };
    /** BulkDecisionOut */
    BulkDecisionOut: {
      /** Results */
      results: components["schemas"]["BulkResultOut"][];
      undo: components["schemas"]["UndoOut"];
    };
    /** BulkResultOut */
    BulkResultOut: {
      /** Id */
      id: number;
      /** Ok */
      ok: boolean;
      /**
       * Status
       * @default null
       */
      status?: string | null;
      /**
       * Error
       * @default null
       */
      error?: {
        [key: string]: unknown;
      } | null;
      /**
       * Thread Id
       * @description For the thread actions
       * @default null
       */
      thread_id?: number | null;
      /**
       * @description Why nothing changed for this comment (its thread or author was handled already, or needs no change; `unverified`, with ok false: a guest cannot be trusted)
       * @default null
       */
      skipped?: components["schemas"]["SkippedOut"] | null;
    };
    /** CommentCreate */
    CommentCreate: {
      /** Site */
      site: string;
      /** Thread */
      thread: string;
      /** Thread Url */
      thread_url: string;
      /**
       * Thread Title
       * @default null
       */
      thread_title?: string | null;
      /**
       * Parent Id
       * @default null
       */
      parent_id?: number | null;
      /** @default null */
      anchor?: components["schemas"]["AnchorIn"] | null;
      /** Body */
      body: string;
      /** @default null */
      author?: components["schemas"]["AuthorIn"] | null;
      /**
       * Notify
       * @default null
       */
      notify?: ("none" | "replies" | "thread") | null;
      /**
       * Form Token
       * @default null
       */
      form_token?: string | null;
      /**
       * Homepage
       * @description Honeypot: people leave it empty.
       * @default null
       */
      homepage?: string | null;
    };
    /** CommentCreated */
    CommentCreated: {
      comment: components["schemas"]["CommentOut"];
      /** Edit Token */
      edit_token: string;
      /** Edit Expires At */
      edit_expires_at: string;
    };
    /** CommentDetail */
    CommentDetail: {
      comment: components["schemas"]["CommentOut"];
      /** Ancestors */
      ancestors: components["schemas"]["CommentOut"][];
      thread: components["schemas"]["ThreadOut"];
    };
    /** CommentEdit */
    CommentEdit: {
      /** Body */
      body: string;
    };
    /** CommentOut */
    CommentOut: {
      /** Id */
      id: number;
      /** Parent Id */
      parent_id: number | null;
      /** Depth */
      depth: number;
      /** @description null for a tombstone */
      author: components["schemas"]["AuthorOut"] | null;
      /**
       * Html
       * @description Sanitised HTML; null for a tombstone
       */
      html: string | null;
      /** Created At */
      created_at: string;
      /** Edited At */
      edited_at: string | null;
      /** Edited By Moderator */
      edited_by_moderator: boolean;
      /** Upvotes */
      upvotes: number;
      /** Downvotes */
      downvotes: number;
      anchor: components["schemas"]["AnchorIn"] | null;
      /** Pinned */
      pinned: boolean;
      /**
       * Deleted
       * @description true for a tombstone kept for its visible replies
       */
      deleted: boolean;
      /**
       * Status
       * @description Only in answers to the comment's author
       * @default null
       */
      status?: ("approved" | "pending") | null;
      /**
       * More Replies Cursor
       * @description Top-level comments only: more replies than shown
       * @default null
       */
      more_replies_cursor?: string | null;
      /**
       * Replies
       * @description Top-level comments only: the subtree, flat, in pre-order
       * @default null
       */
      replies?: components["schemas"]["CommentOut"][] | null;
    };
    /** CommentPatchIn */
    CommentPatchIn: {
      /**
       * Body
       * @default null
       */
      body?: string | null;
      /**
       * Pinned
       * @default null
       */
      pinned?: boolean | null;
      /**
       * Note
       * @default
       */
      note?: string;
    };
    /** CommentPatchOut */
    CommentPatchOut: {
      comment: components["schemas"]["ModCommentOut"];
      undo: components["schemas"]["UndoOut"];
    };
    /** ContentVerdictOut */
    ContentVerdictOut: {
      /** Action */
      action: string;
      /** Code */
      code: string;
      /** Message */
      message: string;
    };
    /** CountsOut */
    CountsOut: {
      /** Counts */
      counts: {
        [key: string]: number;
      };
    };
    /** DecisionIn */
    DecisionIn: {
      /**
       * Action
       * @enum {string}
       */
      action: "approve" | "reject" | "spam";
      /**
       * Reason
       * @default
       */
      reason?: string;
    };
    /** DecisionOut */
    DecisionOut: {
      comment: components["schemas"]["ModCommentOut"];
      /** Previous Status */
      previous_status: string;
      undo: components["schemas"]["UndoOut"];
    };
    /** DeletedOut */
    DeletedOut: {
      /** Deleted */
      deleted: number;
    };
    /** DeliveryList */
    DeliveryList: {
      /** Deliveries */
      deliveries: components["schemas"]["DeliveryOut"][];
      /**
       * Next Before
       * @description Pass as `before` for older deliveries.
       */
      next_before: number | null;
    };
    /** DeliveryOut */
    DeliveryOut: {
      /**
       * Id
       * @description The delivery id (X-Sidenote-Delivery).
       */
      id: string;
      /** Event */
      event: string;
      /**
       * Status
       * @enum {string}
       */
      status: "pending" | "sent" | "failed" | "cancelled";
      /** Attempts */
      attempts: number;
      /** Last Error */
      last_error: string | null;
      /** Created At */
      created_at: string;
      /** Sent At */
      sent_at: string | null;
      /** Next Attempt At */
      next_attempt_at: string | null;
    };
    /** Doc */
    Doc: {
      /** Length */
      length: number;
      /** Fp */
      fp: string;
    };
    /** DryRunItemOut */
    DryRunItemOut: {
      comment: components["schemas"]["ModCommentOut"];
      /** @description The strongest verdict of the new rules */
      verdict: components["schemas"]["ContentVerdictOut"];
      /** @description What the current rules say */
      current: components["schemas"]["ContentVerdictOut"] | null;
      /**
       * Reasons
       * @description Every verdict of the new rules
       */
      reasons: components["schemas"]["ContentVerdictOut"][];
      /**
       * Changed
       * @description The new rules act differently from the current ones
       */
      changed: boolean;
    };
    /** DryRunOut */
    DryRunOut: {
      /** Days */
      days: number;
      /** Scanned */
      scanned: number;
      /** Rejected */
      rejected: number;
      /** Held */
      held: number;
      /**
       * Items
       * @description Comments the new rules catch (at most 200; those they treat differently first), newest first
       */
      items: components["schemas"]["DryRunItemOut"][];
      /**
       * Spam
       * @description Comments the new rules would store as spam
       */
      spam: number;
      /**
       * Changed
       * @description Comments the new rules treat differently
       */
      changed: number;
      /**
       * Released
       * @description Comments the current rules catch and the new ones not
       */
      released: number;
      /**
       * Released Items
       * @description Those comments (at most 200)
       */
      released_items: components["schemas"]["ReleasedItemOut"][];
      /**
       * Rules
       * @description How the dry run judged each rule
       */
      rules: components["schemas"]["RuleReplayOut"][];
      /**
       * Refused
       * @description Comments refused at posting in the period: counted in rejected, changed and released by the banned word that refused them
       */
      refused: number;
    };
    /** ErasureOut */
    ErasureOut: {
      /** Comments Anonymized */
      comments_anonymized: number;
      /** Subscriptions Cancelled */
      subscriptions_cancelled: number;
      /** Mails Cancelled */
      mails_cancelled: number;
      /** Ip Hashes Dropped */
      ip_hashes_dropped: number;
      /** Bans Relabelled */
      bans_relabelled: number;
      /** Audit Entries Redacted */
      audit_entries_redacted: number;
    };
    /** ErrorBody */
    ErrorBody: {
      /** Code */
      code: string;
      /** Message */
      message: string;
      /**
       * Fields
       * @default null
       */
      fields?: {
        [key: string]: string;
      } | null;
    };
    /** ErrorOut */
    ErrorOut: {
      error: components["schemas"]["ErrorBody"];
    };
    /** ExportOut */
    ExportOut: {
      /**
       * Format
       * @constant
       */
      format: "sidenote-reader-data";
      /** Version */
      version: number;
      /** Exported At */
      exported_at: string | null;
      /** Profile */
      profile: {
        [key: string]: unknown;
      };
      /** Comments */
      comments: {
          [key: string]: unknown;
        }[];
      /** Subscriptions */
      subscriptions: {
          [key: string]: unknown;
        }[];
      /** Votes */
      votes: {
          [key: string]: unknown;
        }[];
    };
    /** FeaturesOut */
    FeaturesOut: {
      /** Subscriptions */
      subscriptions: boolean;
      /** Sso */
      sso: boolean;
      /** Inline */
      inline: boolean;
    };
    /** FormTokenOut */
    FormTokenOut: {
      /** Form Token */
      form_token: string;
      /**
       * Min Compose Seconds
       * @description A post sent sooner after the token was issued is held for a moderator (too_fast): the widget waits out the rest before sending.
       */
      min_compose_seconds: number;
    };
    /** GuestSessionIn */
    GuestSessionIn: {
      /** Site */
      site: string;
      /**
       * Code
       * @description The one-time code from the verification page's link
       */
      code: string;
      /**
       * Confirm
       * @description The reader confirmed signing in on this device. Needed when the code is redeemed from another browser than the one whose X-Sidenote-Voter asked for it (403 confirmation_required otherwise, with the question in fields.confirm)
       * @default false
       */
      confirm?: boolean;
    };
    /** GuestVerifyIn */
    GuestVerifyIn: {
      /** Site */
      site: string;
      /**
       * Thread Url
       * @description The page to come back to, on one of the site's origins
       */
      thread_url: string;
      /** Email */
      email: string;
      /**
       * Name
       * @default null
       */
      name?: string | null;
    };
    /** LatestComment */
    LatestComment: {
      /** Id */
      id: number;
      /** Parent Id */
      parent_id: number | null;
      /** Depth */
      depth: number;
      /** @description null for a tombstone */
      author: components["schemas"]["AuthorOut"] | null;
      /**
       * Html
       * @description Sanitised HTML; null for a tombstone
       */
      html: string | null;
      /** Created At */
      created_at: string;
      /** Edited At */
      edited_at: string | null;
      /** Edited By Moderator */
      edited_by_moderator: boolean;
      /** Upvotes */
      upvotes: number;
      /** Downvotes */
      downvotes: number;
      anchor: components["schemas"]["AnchorIn"] | null;
      /** Pinned */
      pinned: boolean;
      /**
       * Deleted
       * @description true for a tombstone kept for its visible replies
       */
      deleted: boolean;
      /**
       * Status
       * @description Only in answers to the comment's author
       * @default null
       */
      status?: ("approved" | "pending") | null;
      /**
       * More Replies Cursor
       * @description Top-level comments only: more replies than shown
       * @default null
       */
      more_replies_cursor?: string | null;
      /**
       * Replies
       * @description Top-level comments only: the subtree, flat, in pre-order
       * @default null
       */
      replies?: components["schemas"]["CommentOut"][] | null;
      thread: components["schemas"]["ThreadRef"];
    };
    /** LatestOut */
    LatestOut: {
      /** Comments */
      comments: components["schemas"]["LatestComment"][];
    };
    /** LinkOut */
    LinkOut: {
      /**
       * Url
       * @description The reader's data page; the URL is the credential
       */
      url: string;
      /** Expires At */
      expires_at: string | null;
    };
    /** LoginIn */
    LoginIn: {
      /** Username */
      username: string;
      /** Password */
      password: string;
    };
    /** MeOut */
    MeOut: {
      user: components["schemas"]["UserOut"];
      /**
       * Comments
       * @description Newest first, up to 200
       */
      comments: components["schemas"]["MyComment"][];
      /** Subscriptions */
      subscriptions: components["schemas"]["MySubscription"][];
    };
    /** ModAuthorOut */
    ModAuthorOut: {
      /** Name */
      name: string;
      /** Email */
      email: string;
      /** Website */
      website: string;
      /**
       * Avatar
       * @description The author key: groups one person's comments
       */
      avatar: string;
      /** Verified */
      verified: boolean;
      /** Identity Key */
      identity_key: string | null;
    };
    /** ModCommentOut */
    ModCommentOut: {
      /** Id */
      id: number;
      /** Site */
      site: string;
      /** Thread Id */
      thread_id: number;
      /** Parent Id */
      parent_id: number | null;
      /** Depth */
      depth: number;
      /** Status */
      status: string;
      author: components["schemas"]["ModAuthorOut"];
      /** Ip Hash */
      ip_hash: string | null;
      /** Html */
      html: string;
      /** Body Source */
      body_source: string;
      /** Created At */
      created_at: string;
      /** Edited At */
      edited_at: string | null;
      /** Edited By Moderator */
      edited_by_moderator: boolean;
      /** Pinned */
      pinned: boolean;
      /** Upvotes */
      upvotes: number;
      /** Downvotes */
      downvotes: number;
      /** Report Count */
      report_count: number;
      /**
       * Quote
       * @description The passage an inline comment quotes
       */
      quote: string | null;
    };
    /** ModThreadOut */
    ModThreadOut: {
      /** Id */
      id: number;
      /** Key */
      key: string;
      /** Url */
      url: string;
      /** Title */
      title: string;
      /** Locked */
      locked: boolean;
      /** Moderation */
      moderation: string | null;
      /**
       * Settled
       * @description A visible comment or a moderator fixed the title and URL; until then the next poster's replace them
       */
      settled: boolean;
    };
    /** ModeratorIn */
    ModeratorIn: {
      /** Username */
      username: string;
      /** Password */
      password: string;
      /**
       * Role
       * @enum {string}
       */
      role: "admin" | "moderator";
      /**
       * Sites
       * @default []
       */
      sites?: string[];
    };
    /** ModeratorOut */
    ModeratorOut: {
      /** Id */
      id: number;
      /** Username */
      username: string;
      /** Role */
      role: string;
      /** Sites */
      sites: string[];
      /** Disabled */
      disabled: boolean;
      /** Created At */
      created_at: string | null;
      /** Last Login At */
      last_login_at: string | null;
    };
    /** ModeratorPatchIn */
    ModeratorPatchIn: {
      /**
       * Role
       * @default null
       */
      role?: ("admin" | "moderator") | null;
      /**
       * Sites
       * @default null
       */
      sites?: string[] | null;
      /**
       * Password
       * @default null
       */
      password?: string | null;
      /**
       * Disabled
       * @default null
       */
      disabled?: boolean | null;
    };
    /** ModeratorsOut */
    ModeratorsOut: {
      /** Moderators */
      moderators: components["schemas"]["ModeratorOut"][];
    };
    /** MyAuthor */
    MyAuthor: {
      /** Name */
      name: string;
      /** Email */
      email: string;
      /** Website */
      website: string;
    };
    /** MyComment */
    MyComment: {
      /** Id */
      id: number;
      /** Site */
      site: string;
      thread: components["schemas"]["MyThread"];
      /** Url */
      url: string;
      /** Parent Id */
      parent_id: number | null;
      /** Status */
      status: string;
      /** Created At */
      created_at: string | null;
      /** Edited At */
      edited_at: string | null;
      author: components["schemas"]["MyAuthor"];
      /** Body Source */
      body_source: string;
      /** Body Html */
      body_html: string;
      /** Upvotes */
      upvotes: number;
      /** Downvotes */
      downvotes: number;
    };
    /** MySubscription */
    MySubscription: {
      /** Id */
      id: number;
      /** Site */
      site: string | null;
      /** Kind */
      kind: string;
      thread: components["schemas"]["MyThread"] | null;
      /** Comment Id */
      comment_id: number | null;
      /** Frequency */
      frequency: string;
      /** Confirmed */
      confirmed: boolean;
      /** Created At */
      created_at: string | null;
    };
    /** MyThread */
    MyThread: {
      /** Key */
      key: string;
      /** Url */
      url: string;
      /** Title */
      title: string;
    };
    /** NameIn */
    NameIn: {
      /** Name */
      name: string;
      /**
       * Site
       * @default null
       */
      site?: string | null;
    };
    /**
     * OptionalSite
     * @description The site the widget is on: only so the answer carries that site's CORS headers.
     */
    OptionalSite: {
      /**
       * Site
       * @default null
       */
      site?: string | null;
    };
    /** ParentOut */
    ParentOut: {
      /** Id */
      id: number;
      /** Author Name */
      author_name: string;
      /** Html */
      html: string;
      /** Status */
      status: string;
    };
    /** Passage */
    Passage: {
      /** Key */
      key: string;
      /**
       * Question
       * @default null
       */
      question?: string | null;
    };
    /** Position */
    Position: {
      /** Start */
      start: number;
      /** End */
      end: number;
    };
    /** PreviewIn */
    PreviewIn: {
      /** Site */
      site: string;
      /** Body */
      body: string;
    };
    /** PreviewOut */
    PreviewOut: {
      /** Html */
      html: string;
    };
    /** PrincipalOut */
    PrincipalOut: {
      /**
       * Kind
       * @enum {string}
       */
      kind: "moderator" | "token";
      /** Id */
      id: number;
      /** Label */
      label: string;
      /**
       * Scope
       * @enum {string}
       */
      scope: "read" | "moderate" | "admin";
      /** Role */
      role: string | null;
      /**
       * Sites
       * @description Slugs the caller may act on; null: every site
       */
      sites: string[] | null;
      /**
       * Csrf Token
       * @description Send it as X-CSRF-Token (or form field csrf_token) on unsafe requests; null for API tokens, which need none
       */
      csrf_token: string | null;
    };
    /**
     * PrivacyExportOut
     * @description Everything stored about the address (see docs/migrating.md, "Privacy requests").
     */
    PrivacyExportOut: {
      /**
       * Format
       * @constant
       */
      format: "sidenote-privacy-export";
      /** Version */
      version: number;
      /** Email */
      email: string;
      /** Exported At */
      exported_at: string;
      /** Email Address */
      email_address: {
        [key: string]: unknown;
      } | null;
      /** Comments */
      comments: {
          [key: string]: unknown;
        }[];
      /** Votes */
      votes: {
          [key: string]: unknown;
        }[];
      /** Subscriptions */
      subscriptions: {
          [key: string]: unknown;
        }[];
      /** Bans */
      bans: {
          [key: string]: unknown;
        }[];
      /** Moderation Log */
      moderation_log: {
          [key: string]: unknown;
        }[];
      [key: string]: unknown;
    };
    /** PrivacyIn */
    PrivacyIn: {
      /**
       * Email
       * @description The address the request is about.
       */
      email: string;
    };
    /** QueueItemOut */
    QueueItemOut: {
      comment: components["schemas"]["ModCommentOut"];
      /** Reasons */
      reasons: components["schemas"]["ReasonOut"][];
      /** Spam Score */
      spam_score: number | null;
      /** Reports */
      reports: components["schemas"]["ReportOut"][];
      thread: components["schemas"]["ModThreadOut"];
      parent: components["schemas"]["ParentOut"] | null;
      /** Author History */
      author_history: {
        [key: string]: number;
      };
    };
    /** QueuePageOut */
    QueuePageOut: {
      /** Items */
      items: components["schemas"]["QueueItemOut"][];
      /** Next Cursor */
      next_cursor: string | null;
    };
    /** Quote */
    Quote: {
      /** Exact */
      exact: string;
      /**
       * Prefix
       * @default
       */
      prefix?: string;
      /**
       * Suffix
       * @default
       */
      suffix?: string;
    };
    /**
     * ReaderSessionOut
     * @description A reader's session (SSO user or verified guest); the moderators' is SessionOut.
     */
    ReaderSessionOut: {
      /**
       * Session Token
       * @description Send as 'Authorization: Bearer <session_token>'
       */
      session_token: string;
      /** Expires At */
      expires_at: string;
      user: components["schemas"]["UserOut"];
    };
    /** ReasonOut */
    ReasonOut: {
      /** Code */
      code: string;
      /** Message */
      message: string;
      /**
       * Verdict
       * @default null
       */
      verdict?: string | null;
    };
    /** ReleasedItemOut */
    ReleasedItemOut: {
      comment: components["schemas"]["ModCommentOut"];
      /** @description What the current rules say */
      current: components["schemas"]["ContentVerdictOut"];
    };
    /** RepliesOut */
    RepliesOut: {
      /** Replies */
      replies: components["schemas"]["CommentOut"][];
      /** More Replies Cursor */
      more_replies_cursor: string | null;
    };
    /** ReportIn */
    ReportIn: {
      /**
       * Reason
       * @enum {string}
       */
      reason: "spam" | "abuse" | "off_topic" | "other";
      /**
       * Note
       * @default
       */
      note?: string;
    };
    /** ReportOut */
    ReportOut: {
      /** Id */
      id: number;
      /** Reason */
      reason: string;
      /** Note */
      note: string;
      /** Created At */
      created_at: string;
    };
    /** RuleReplayOut */
    RuleReplayOut: {
      /**
       * Rule
       * @description A field of the rules
       */
      rule: string;
      /**
       * Replayed
       * @description Whether the dry run could judge comments by it
       */
      replayed: boolean;
      /**
       * Changed
       * @description The new value differs from the current one
       */
      changed: boolean;
      /**
       * Note
       * @description What it was judged from, or why it could not be
       */
      note: string;
    };
    /**
     * Rules
     * @description Every rule a site can set (docs/moderation.md explains each).
     */
    Rules: {
      /**
       * Banned Words
       * @description Words or phrases that reject a comment (422). `*` stands for up to `rule_wildcard_max` letters.
       */
      banned_words?: string[];
      /**
       * Suspect Words
       * @description Words or phrases that hold a comment for review.
       */
      suspect_words?: string[];
      /**
       * Allowed Words
       * @description Words or phrases that never match a banned or suspect word (“Scunthorpe”, “cum laude”).
       */
      allowed_words?: string[];
      /**
       * Rule Wildcard Max
       * @description Letters a `*` in a banned or suspect word stands for, at most (inside one word).
       * @default 2
       */
      rule_wildcard_max?: number;
      /**
       * Max Links
       * @description Hold comments with more links; null: no limit.
       * @default 3
       */
      max_links?: number | null;
      /**
       * Report Threshold
       * @description Open reports that hold an approved comment; 0: off.
       * @default 3
       */
      report_threshold?: number;
      /**
       * First Time Threshold
       * @description Approved comments that end first-time review.
       * @default 1
       */
      first_time_threshold?: number;
      /**
       * Trusted After
       * @description Approved comments (none rejected) that make a verified commenter trusted; 0: only explicit trust.
       * @default 5
       */
      trusted_after?: number;
      /**
       * Repeat Window Hours
       * @description Identical comments within it are spam; 0: off.
       * @default 24
       */
      repeat_window_hours?: number;
      /**
       * Spam Score Threshold
       * @description Hold comments whose spam score reaches it.
       * @default 0.95
       */
      spam_score_threshold?: number;
      /**
       * Spam Score Enabled
       * @default true
       */
      spam_score_enabled?: boolean;
      /**
       * Spam Shipped Model
       * @description Start from the shipped spam model (trained on a public corpus) and blend in the site's own decisions as they accrue; false: only the site's own decisions.
       * @default true
       */
      spam_shipped_model?: boolean;
      /**
       * Spam Legit Held Rate
       * @description Share of legitimate comments the site accepts to see held by the spam score: its threshold is estimated from the site's decisions for it (until there are enough, spam_score_threshold applies).
       * @default 0.02
       */
      spam_legit_held_rate?: number;
      /**
       * Spam Min Examples
       * @description Spam and legitimate decisions each needed before the site's own decisions join the score (before that: the shipped model alone, if on).
       * @default 20
       */
      spam_min_examples?: number;
      /**
       * Spam Ham After Hours
       * @description A published comment neither reported nor removed for this long trains the spam score as legitimate; 0: only moderators' approvals do.
       * @default 72
       */
      spam_ham_after_hours?: number;
    };
    /** RulesOut */
    RulesOut: {
      /** Site */
      site: string;
      rules: components["schemas"]["Rules"];
    };
    /** ScoresOut */
    ScoresOut: {
      /** Upvotes */
      upvotes: number;
      /** Downvotes */
      downvotes: number;
    };
    /** SessionOut */
    SessionOut: {
      principal: components["schemas"]["PrincipalOut"];
      /**
       * Expires At
       * @default null
       */
      expires_at?: string | null;
    };
    /** SiteConfigOut */
    SiteConfigOut: {
      /** Site */
      site: string;
      /** Name */
      name: string;
      /**
       * Moderation
       * @enum {string}
       */
      moderation: "post" | "pre" | "first-time";
      /** Max Body Chars */
      max_body_chars: number;
      /** Edit Window Seconds */
      edit_window_seconds: number;
      /** Max Depth */
      max_depth: number;
      features: components["schemas"]["FeaturesOut"];
      /**
       * Sso Required
       * @description Only readers signed in through the site may comment
       * @default false
       */
      sso_required?: boolean;
      /**
       * Verify Guests
       * @description A guest's comment appears once they confirm their email
       * @default false
       */
      verify_guests?: boolean;
      /**
       * Login Url
       * @description The site's own sign-in page
       * @default null
       */
      login_url?: string | null;
      /**
       * Logout Url
       * @description The site's own sign-out page
       * @default null
       */
      logout_url?: string | null;
    };
    /** SkippedOut */
    SkippedOut: {
      /**
       * Code
       * @enum {string}
       */
      code: "same_thread" | "already_locked" | "already_premoderated" | "same_author" | "already_trusted" | "unverified";
      /** Message */
      message: string;
    };
    /** SsoSessionIn */
    SsoSessionIn: {
      /** Site */
      site: string;
      /**
       * Token
       * @description The JWT (HS256) the site signed for its signed-in reader
       */
      token: string;
    };
    /** SubscriptionCreate */
    SubscriptionCreate: {
      /** Site */
      site: string;
      /** Thread */
      thread: string;
      /** Email */
      email: string;
      /**
       * Kind
       * @description replies: new replies anywhere below comment_id; thread: every new comment.
       * @enum {string}
       */
      kind: "replies" | "thread";
      /**
       * Comment Id
       * @default null
       */
      comment_id?: number | null;
      /**
       * Frequency
       * @default immediate
       * @enum {string}
       */
      frequency?: "immediate" | "daily";
      /**
       * Locale
       * @description Language of the mails (else the browser's, else the site's).
       * @default null
       */
      locale?: string | null;
    };
    /** ThreadOut */
    ThreadOut: {
      /** Key */
      key: string;
      /** Url */
      url: string | null;
      /** Title */
      title: string | null;
      /** Locked */
      locked: boolean;
      /** Comment Count */
      comment_count: number;
    };
    /** ThreadPageOut */
    ThreadPageOut: {
      thread: components["schemas"]["ThreadOut"];
      /** Comments */
      comments: components["schemas"]["CommentOut"][];
      /** Next Cursor */
      next_cursor: string | null;
    };
    /** ThreadPatchIn */
    ThreadPatchIn: {
      /**
       * Locked
       * @default null
       */
      locked?: boolean | null;
      /**
       * Moderation
       * @description pre: hold every new comment; site: follow the site's mode
       * @default null
       */
      moderation?: ("pre" | "site") | null;
      /**
       * Title
       * @description The thread's title (settles it: posters no longer replace it)
       * @default null
       */
      title?: string | null;
      /**
       * Url
       * @description The page URL, on one of the site's origins (settles it too)
       * @default null
       */
      url?: string | null;
      /**
       * Reason
       * @default
       */
      reason?: string;
    };
    /** ThreadPatchOut */
    ThreadPatchOut: {
      thread: components["schemas"]["ModThreadOut"];
      undo: components["schemas"]["UndoOut"];
    };
    /** ThreadRef */
    ThreadRef: {
      /** Key */
      key: string;
      /** Url */
      url: string;
      /** Title */
      title: string;
    };
    /** TokenCreatedOut */
    TokenCreatedOut: {
      token: components["schemas"]["TokenOut"];
      /**
       * Secret
       * @description The bearer token; shown only here
       */
      secret: string;
    };
    /** TokenIn */
    TokenIn: {
      /**
       * Site
       * @description null: every site (admin scope only)
       * @default null
       */
      site?: string | null;
      /**
       * Scope
       * @enum {string}
       */
      scope: "read" | "moderate" | "admin";
      /**
       * Name
       * @default
       */
      name?: string;
    };
    /** TokenOut */
    TokenOut: {
      /** Id */
      id: number;
      /** Name */
      name: string;
      /** Site */
      site: string | null;
      /** Scope */
      scope: string;
      /** Created At */
      created_at: string | null;
      /** Last Used At */
      last_used_at: string | null;
      /** Revoked */
      revoked: boolean;
    };
    /** TokensOut */
    TokensOut: {
      /** Tokens */
      tokens: components["schemas"]["TokenOut"][];
    };
    /** TrustIn */
    TrustIn: {
      /**
       * Trusted
       * @default true
       */
      trusted?: boolean;
    };
    /** UndoIn */
    UndoIn: {
      /** Batch */
      batch: string;
    };
    /** UndoOut */
    UndoOut: {
      /**
       * Batch
       * @description POST it to /moderation/undo to revert this action
       */
      batch: string;
      /** Expires At */
      expires_at: string;
    };
    /** UndoTicketOut */
    UndoTicketOut: {
      undo: components["schemas"]["UndoOut"];
    };
    /** UndoneOut */
    UndoneOut: {
      /** Reverted */
      reverted: number;
      /**
       * Batch
       * @description The batch of the undo's own audit rows
       */
      batch: string;
    };
    /** UserEnvelope */
    UserEnvelope: {
      user: components["schemas"]["UserOut"];
    };
    /** UserOut */
    UserOut: {
      /** Name */
      name: string | null;
      /**
       * Avatar
       * @description Opaque avatar seed, as on the reader's comments
       */
      avatar: string;
      /**
       * Verified
       * @description true for the site's SSO users
       */
      verified: boolean;
      /**
       * Kind
       * @enum {string}
       */
      kind: "sso" | "guest";
    };
    /** VoteIn */
    VoteIn: {
      /**
       * Value
       * @description 1 up, -1 down, 0 withdraw
       */
      value: number;
    };
    /** WebhookCreate */
    WebhookCreate: {
      /** Url */
      url: string;
      /** Events */
      events?: ("comment.created" | "comment.approved" | "comment.rejected" | "comment.deleted" | "comment.reported" | "comment.edited")[];
      /**
       * Description
       * @default
       */
      description?: string;
      /**
       * Secret
       * @description Leave out to have one generated (returned once, here).
       * @default null
       */
      secret?: string | null;
    };
    /**
     * WebhookDelivery
     * @description The body of every webhook POST (see docs/notifications.md for the headers).
     */
    WebhookDelivery: {
      /** Id */
      id: string;
      /** Event */
      event: string;
      /** Created At */
      created_at: string;
      /** Site */
      site: string;
      /** Comment */
      comment: {
        [key: string]: unknown;
      } | null;
      /**
       * Data
       * @default null
       */
      data?: {
        [key: string]: unknown;
      } | null;
    };
    /** WebhookList */
    WebhookList: {
      /** Webhooks */
      webhooks: components["schemas"]["WebhookOut"][];
    };
    /** WebhookOut */
    WebhookOut: {
      /** Id */
      id: number;
      /** Url */
      url: string;
      /** Events */
      events: string[];
      /** Active */
      active: boolean;
      /** Description */
      description: string;
      /** Created At */
      created_at: string;
      /**
       * Secret
       * @description Only in the answer that created the webhook.
       * @default null
       */
      secret?: string | null;
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}

export type $defs = Record<string, never>;

export type external = Record<string, never>;

export interface operations {

  /** What the widget needs to know about a site */
  site_config: {
    parameters: {
      path: {
        site: string;
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["SiteConfigOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `origin_not_allowed` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /**
   * A form token for the composer (send it as form_token when posting)
   * @description Signed, time-stamped and bound to the site; reusable until SIDENOTE_FORM_TOKEN_MAX_AGE seconds old. Anonymous posts without a valid one are held as spam; posts sent sooner than min_compose_seconds after it was issued are held for a moderator (too_fast).
   */
  form_token: {
    parameters: {
      query: {
        site: string;
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["FormTokenOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /**
   * A page of a thread's comments with their replies
   * @description Top-level comments (pinned first, on the first page), each with up to 100 replies in pre-order. Conditional requests with If-None-Match get 304.
   */
  list_comments: {
    parameters: {
      query: {
        site: string;
        thread: string;
        sort?: "oldest" | "newest" | "top";
        limit?: number;
        cursor?: string | null;
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["ThreadPageOut"];
        };
      };
      /** @description Not Modified */
      304: {
        content: never;
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /**
   * Post a comment or a reply
   * @description Creates the thread on its first comment when thread_url is on one of the site's origins. The answer's edit_token (header X-Sidenote-Edit-Token) allows editing and deleting until edit_expires_at. With a reader session (Authorization: Bearer snr_…) the comment is the signed-in reader's: their name and identity, no form token needed. With an API token of the site (Authorization: Bearer snt_…) an integration posts without a form token; an unknown or revoked token is 401, another site's 403.
   */
  create_comment: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["CommentCreate"];
      };
    };
    responses: {
      /** @description Created */
      201: {
        content: {
          "application/json": components["schemas"]["CommentCreated"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `sso_required`, `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `banned`, `forbidden`, `thread_locked` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Payload Too Large. Error codes: `payload_too_large` */
      413: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Rejected by policy. Error codes: `rejected_by_policy` */
      422: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Too Many Requests. Error codes: `rate_limited` */
      429: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** One comment with its ancestors and thread (permalinks) */
  get_comment: {
    parameters: {
      path: {
        comment_id: number;
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["CommentDetail"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Delete your comment (X-Sidenote-Edit-Token within the edit window, or your session) */
  delete_comment: {
    parameters: {
      path: {
        comment_id: number;
      };
    };
    responses: {
      /** @description No Content */
      204: {
        content: never;
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `edit_window_closed` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Edit your comment (X-Sidenote-Edit-Token or your session, within the edit window) */
  edit_comment: {
    parameters: {
      path: {
        comment_id: number;
      };
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["CommentEdit"];
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["CommentOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `edit_window_closed`, `thread_locked` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Rejected by policy. Error codes: `rejected_by_policy` */
      422: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** More of a comment's replies, in pre-order */
  list_replies: {
    parameters: {
      query?: {
        cursor?: string | null;
      };
      path: {
        comment_id: number;
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["RepliesOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Vote on a comment (X-Sidenote-Voter, or as the signed-in reader); 0 withdraws it */
  vote: {
    parameters: {
      path: {
        comment_id: number;
      };
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["VoteIn"];
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["ScoresOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Too Many Requests. Error codes: `rate_limited` */
      429: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Report a comment to the moderators */
  report: {
    parameters: {
      path: {
        comment_id: number;
      };
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["ReportIn"];
      };
    };
    responses: {
      /** @description Accepted */
      202: {
        content: {
          "application/json": components["schemas"]["AcceptedOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Too Many Requests. Error codes: `rate_limited` */
      429: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Render Markdown exactly as a posted comment would be */
  preview: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["PreviewIn"];
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["PreviewOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Too Many Requests. Error codes: `rate_limited` */
      429: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Comment counts of up to 100 threads */
  counts: {
    parameters: {
      query: {
        site: string;
        thread: string[];
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["CountsOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** The newest approved comments of a site */
  latest: {
    parameters: {
      query: {
        site: string;
        limit?: number;
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["LatestOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Atom feed of a site's (or one thread's) newest comments */
  feed: {
    parameters: {
      query: {
        site: string;
        thread?: string | null;
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/atom+xml": string;
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /**
   * Exchange a site's SSO token (JWT) for a reader session
   * @description The token is HS256, signed with one of the site's active SSO secrets; `aud` must be the site's slug, `sub` and `exp` are required, `iat` is optional. Expired, forged, and wrong-site tokens answer 401 `sso_invalid` saying which; a token that cannot be read (not a JWT, a `crit` header, a non-string `kid`, a time claim that is not whole seconds) is 400 `validation_failed` on `token`.
   */
  sso_session: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["SsoSessionIn"];
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["ReaderSessionOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `sso_invalid` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Too Many Requests. Error codes: `rate_limited` */
      429: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /**
   * End the reader session sent as Authorization: Bearer
   * @description Ends an SSO or verified-guest session. An ended session answers 204 again.
   */
  sso_logout: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["OptionalSite"];
      };
    };
    responses: {
      /** @description No Content */
      204: {
        content: never;
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /**
   * Mail a guest a link that verifies their address and signs them in
   * @description Always 202 (nothing is revealed about the address); no mail beyond SIDENOTE_RATELIMIT_CONFIRM_MAIL per address and requester.
   */
  guest_verify: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["GuestVerifyIn"];
      };
    };
    responses: {
      /** @description Accepted */
      202: {
        content: {
          "application/json": components["schemas"]["AcceptedOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `sso_required` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Too Many Requests. Error codes: `rate_limited` */
      429: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /**
   * Exchange a verified guest's one-time sign-in code for a reader session
   * @description The code signs in by itself only from the browser that asked for the verification mail (the same X-Sidenote-Voter); elsewhere the reader must confirm (confirm: true).
   */
  guest_session: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["GuestSessionIn"];
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["ReaderSessionOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `confirmation_required` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Too Many Requests. Error codes: `rate_limited` */
      429: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** The signed-in reader: profile, comments (newest 200) and subscriptions */
  me: {
    parameters: {
      query?: {
        site?: string | null;
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["MeOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Change the signed-in reader's name (on their comments too) */
  rename_me: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["NameIn"];
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["UserEnvelope"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Download everything about the signed-in reader (JSON attachment) */
  export_me: {
    parameters: {
      query?: {
        site?: string | null;
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["ExportOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Delete every comment of the signed-in reader (replies keep a tombstone) */
  delete_my_comments: {
    parameters: {
      query?: {
        site?: string | null;
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["DeletedOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** A short-lived link to the signed-in reader's data page (the widget's menu) */
  my_data_link: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["OptionalSite"];
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["LinkOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Who the credentials belong to, their scope and sites (and the CSRF token) */
  whoami: {
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["SessionOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Log in as a moderator (sets the session cookie; answers the CSRF token) */
  login: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["LoginIn"];
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["SessionOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Too Many Requests. Error codes: `rate_limited` */
      429: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Log out (ends the session and clears its cookie) */
  logout: {
    responses: {
      /** @description No Content */
      204: {
        content: never;
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** The moderation queue: one tab, filtered, newest first, cursor-paged */
  moderation_queue: {
    parameters: {
      query?: {
        site?: string | null;
        status?: "pending" | "reported" | "spam" | "approved" | "rejected";
        thread?: string | null;
        /** @description Author key (avatar), verified identity, IP hash, email or exact name */
        author?: string | null;
        reason?: string | null;
        q?: string | null;
        cursor?: string | null;
        limit?: number;
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["QueuePageOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** How many comments each queue tab holds */
  moderation_counts: {
    parameters: {
      query?: {
        site?: string | null;
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["CountsOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Approve, reject or mark one comment as spam */
  decide_comment: {
    parameters: {
      path: {
        comment_id: number;
      };
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["DecisionIn"];
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["DecisionOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** The same decision on many comments, or lock/pre-moderate their threads or trust their authors (each answered on its own; one undo) */
  decide_comments: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["BulkDecisionIn"];
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["BulkDecisionOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Edit a comment as a moderator (marked as such) and/or pin it */
  patch_comment: {
    parameters: {
      path: {
        comment_id: number;
      };
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["CommentPatchIn"];
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["CommentPatchOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Trust (or stop trusting) the verified author of a comment on its site */
  trust_author: {
    parameters: {
      path: {
        comment_id: number;
      };
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["TrustIn"];
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["UndoTicketOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Lock or unlock a thread, pre-moderate it, or correct its title and page URL */
  patch_thread: {
    parameters: {
      path: {
        thread_id: number;
      };
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["ThreadPatchIn"];
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["ThreadPatchOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Revert a recent action (its undo batch), within SIDENOTE_MODERATION_UNDO_SECONDS */
  undo: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["UndoIn"];
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["UndoneOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** The audit log, newest first (filter by site, action, actor, target, time) */
  audit_log: {
    parameters: {
      query?: {
        site?: string | null;
        action?: string | null;
        actor?: string | null;
        target_kind?: string | null;
        target_id?: string | null;
        /** @description ISO 8601 date or time (UTC when no zone) */
        since?: string | null;
        until?: string | null;
        cursor?: string | null;
        limit?: number;
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["AuditPageOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** The audit log as CSV (same filters; at most 10,000 rows) */
  audit_csv: {
    parameters: {
      query?: {
        site?: string | null;
        action?: string | null;
        actor?: string | null;
        target_kind?: string | null;
        target_id?: string | null;
        /** @description ISO 8601 date or time (UTC when no zone) */
        since?: string | null;
        until?: string | null;
        cursor?: string | null;
        limit?: number;
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "text/csv": string;
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** A site's moderation rules */
  get_rules: {
    parameters: {
      path: {
        site: string;
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["RulesOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Replace a site's moderation rules (admin scope on the site) */
  put_rules: {
    parameters: {
      path: {
        site: string;
      };
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["Rules"];
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["RulesOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Which of the last 30 days of comments these rules would reject, hold or mark as spam, compared with the current rules (nothing is saved) */
  rules_dry_run: {
    parameters: {
      path: {
        site: string;
      };
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["Rules"];
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["DryRunOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Bans, newest first (active ones unless active=false) */
  list_bans: {
    parameters: {
      query?: {
        site?: string | null;
        active?: boolean;
        cursor?: string | null;
        limit?: number;
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["BansOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Ban a comment's author (or a value) by email, IP hash, voter id or identity */
  create_ban: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["BanIn"];
      };
    };
    responses: {
      /** @description Created */
      201: {
        content: {
          "application/json": components["schemas"]["BanCreatedOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Lift a ban */
  lift_ban: {
    parameters: {
      path: {
        ban_id: number;
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["BanLiftedOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Every API token (admin on every site) */
  list_tokens: {
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["TokensOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Create an API token (its secret is in this answer only) */
  create_token: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["TokenIn"];
      };
    };
    responses: {
      /** @description Created */
      201: {
        content: {
          "application/json": components["schemas"]["TokenCreatedOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Revoke an API token */
  revoke_token: {
    parameters: {
      path: {
        token_id: number;
      };
    };
    responses: {
      /** @description No Content */
      204: {
        content: never;
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Every moderator account */
  list_moderators: {
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["ModeratorsOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Add a moderator account */
  create_moderator: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["ModeratorIn"];
      };
    };
    responses: {
      /** @description Created */
      201: {
        content: {
          "application/json": components["schemas"]["ModeratorOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Change a moderator's role, sites or password, or disable the account */
  patch_moderator: {
    parameters: {
      path: {
        moderator_id: number;
      };
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["ModeratorPatchIn"];
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["ModeratorOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /**
   * Subscribe an address (double opt-in: a confirmation mail comes first)
   * @description Always 202 with the same body, whether the address is new, known, confirmed or limited: the answer reveals nothing about it. Nothing is mailed to an address before its owner confirms it; once confirmed, later subscriptions start at once.
   */
  create_subscription: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["SubscriptionCreate"];
      };
    };
    responses: {
      /** @description Accepted */
      202: {
        content: {
          "application/json": components["schemas"]["AcceptedOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Too Many Requests. Error codes: `rate_limited` */
      429: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** List a site's webhooks (moderate scope; secrets are never listed) */
  list_webhooks: {
    parameters: {
      path: {
        site: string;
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["WebhookList"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Add a webhook (admin scope); the answer holds its secret, shown once */
  create_webhook: {
    parameters: {
      path: {
        site: string;
      };
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["WebhookCreate"];
      };
    };
    responses: {
      /** @description Created */
      201: {
        content: {
          "application/json": components["schemas"]["WebhookOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Remove a webhook and its delivery log (admin scope) */
  delete_webhook: {
    parameters: {
      path: {
        site: string;
        webhook_id: number;
      };
    };
    responses: {
      /** @description No Content */
      204: {
        content: never;
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Queue a signed test delivery (event `ping`, comment null) */
  test_webhook: {
    parameters: {
      path: {
        site: string;
        webhook_id: number;
      };
    };
    responses: {
      /** @description Accepted */
      202: {
        content: {
          "application/json": components["schemas"]["DeliveryOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** A webhook's delivery log, newest first: status, attempts, last error */
  list_deliveries: {
    parameters: {
      query?: {
        before?: number | null;
        limit?: number;
      };
      path: {
        site: string;
        webhook_id: number;
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["DeliveryList"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /**
   * Export a site: threads, comments, votes, reports, moderation log, subscriptions
   * @description Streams Sidenote's export format (docs/export.schema.json); `sidenote import sidenote` reads it back. Needs the admin scope on the site.
   */
  export_site: {
    parameters: {
      query?: {
        /** @description `json`: one document; `jsonl`: one record a line. */
        format?: "json" | "jsonl";
        /** @description Include commenters' and subscribers' emails. */
        emails?: boolean;
      };
      path: {
        site: string;
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": {
            /** @constant */
            format: "sidenote-export";
            /** @constant */
            version: 1;
            threads: unknown[];
          };
          "application/x-ndjson": string;
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Not Found. Error codes: `not_found` */
      404: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Everything stored about an email address (admin on every site) */
  privacy_export: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["PrivacyIn"];
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["PrivacyExportOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
  /** Erase an email address: anonymise its comments, cancel its subscriptions */
  privacy_erase: {
    requestBody: {
      content: {
        "application/json": components["schemas"]["PrivacyIn"];
      };
    };
    responses: {
      /** @description OK */
      200: {
        content: {
          "application/json": components["schemas"]["ErasureOut"];
        };
      };
      /** @description Bad Request. Error codes: `validation_failed` */
      400: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unauthorized. Error codes: `unauthorized` */
      401: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Forbidden. Error codes: `forbidden` */
      403: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
      /** @description Unsupported Media Type. Error codes: `unsupported_media_type` */
      415: {
        content: {
          "application/json": components["schemas"]["ErrorOut"];
        };
      };
    };
  };
}
