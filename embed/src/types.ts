// The public API's wire shapes (see service/api/schemas.py), as the widget reads them.

export interface Author {
  name: string | null;
  website: string | null;
  avatar: string;
  verified: boolean;
}

/** An anchor in the core issue's wire format; the inline module owns its details. */
export interface Anchor {
  v: number;
  kind: "quote" | "block" | "passage";
  [field: string]: unknown;
}

export interface Comment {
  id: number;
  parent_id: number | null;
  depth: number;
  author: Author | null;
  html: string | null;
  created_at: string;
  edited_at: string | null;
  edited_by_moderator: boolean;
  upvotes: number;
  downvotes: number;
  anchor: Anchor | null;
  pinned: boolean;
  deleted: boolean;
  status?: "approved" | "pending" | null;
  replies?: Comment[] | null;
  more_replies_cursor?: string | null;
}

export interface ThreadInfo {
  key: string;
  url: string | null;
  title: string | null;
  locked: boolean;
  comment_count: number;
}

export interface ThreadPage {
  thread: ThreadInfo;
  comments: Comment[];
  next_cursor: string | null;
}

export interface SiteConfig {
  site: string;
  name: string;
  moderation: "post" | "pre" | "first-time";
  max_body_chars: number;
  edit_window_seconds: number;
  max_depth: number;
  features: { subscriptions: boolean; sso: boolean; inline: boolean };
  sso_required?: boolean;
  /** a guest's comment appears once they confirm their email: the email is required */
  verify_guests?: boolean;
  login_url?: string | null;
  logout_url?: string | null;
}

/** POST sso/session and guest/session */
export interface SessionAnswer {
  session_token: string;
  expires_at: string;
  user: { name: string | null; avatar: string; verified: boolean; kind: "sso" | "guest" };
}

export interface CommentDetail {
  comment: Comment;
  ancestors: Comment[];
  thread: ThreadInfo;
}

export interface Posted {
  comment: Comment;
  edit_token: string;
  edit_expires_at: string;
}

export type Sort = "oldest" | "newest" | "top";
export type Theme = "light" | "dark" | "auto";
