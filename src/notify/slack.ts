// A notification as a Slack incoming webhook renders it: one line of text with the approval link.
import type { NotifyEvent } from "./notifier.js";

/** True for a Slack incoming-webhook URL (hooks.slack.com), which takes Slack's message shape instead of the event. */
export function isSlackWebhook(url: string): boolean {
  try {
    return new URL(url).hostname.toLowerCase() === "hooks.slack.com";
  } catch {
    return false;
  }
}

/** Slack's control characters in text (`&`, `<`, `>`), escaped as its documentation asks. */
function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function field(event: NotifyEvent, name: string): string | undefined {
  const value = event[name];
  return typeof value === "string" ? value : undefined;
}

/**
 * The Slack message for an event: `text` (what Slack shows in notifications too) with the link, when the event has one.
 * @example slackMessage({ type: "approval.requested", policy: "prod_delete", url }) // { text: "…<url|Approve or deny>" }
 */
export function slackMessage(event: NotifyEvent): { text: string } {
  const subject = event["subject"] as { reason?: unknown; method?: unknown; path?: unknown } | undefined;
  const what = [subject?.method, subject?.path].filter((part): part is string => typeof part === "string").join(" ");
  const reason = typeof subject?.reason === "string" ? subject.reason : undefined;
  const url = field(event, "url");
  const policy = field(event, "policy");
  const lines = [
    `*hexarch: ${escape(event.type)}*${policy === undefined ? "" : ` (policy ${escape(policy)})`}`,
    ...(what === "" ? [] : [escape(what)]),
    ...(reason === undefined ? [] : [escape(reason)]),
    ...(url === undefined ? [] : [`<${url.replace(/[<>|]/g, encodeURIComponent)}|Approve or deny>`]),
  ];
  return { text: lines.join("\n") };
}
