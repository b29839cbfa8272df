// Confirmation through MCP elicitation: one form with one confirm field, asked of the person behind the client.
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { ElicitRequestFormParams } from "@modelcontextprotocol/sdk/types.js";
import type { Decision } from "../../engine/decision.js";
import type { ToolCallExtra } from "./server-hooks.js";
import type { ConfirmationFailure } from "./tool-results.js";

/** The answer to one confirmation question: the person confirmed, or why the call must not run. */
export type ConfirmationAnswer =
  { readonly confirmed: true } | { readonly confirmed: false; readonly failure: ConfirmationFailure; readonly detail?: string };

/** The one field of the confirmation form. */
export const CONFIRM_FIELD = "confirm";

const CONFIRMED: ConfirmationAnswer = { confirmed: true };

/** Whether the client said, when it connected, that it can show a form (`elicitation: {}` counts as form). */
export function canAskForm(protocol: Server): boolean {
  const elicitation = protocol.getClientCapabilities()?.elicitation;
  return typeof elicitation === "object" && elicitation !== null && typeof elicitation.form === "object" && elicitation.form !== null;
}

function confirmForm(tool: string, decision: Decision): ElicitRequestFormParams {
  return {
    mode: "form",
    message: `Run the tool "${tool}"? ${decision.reason}.`,
    requestedSchema: {
      type: "object",
      properties: {
        [CONFIRM_FIELD]: {
          type: "boolean",
          title: `Run ${tool}`,
          description: `Check to let the assistant run "${tool}" once (policy ${decision.policyId ?? "?"}).`,
        },
      },
      required: [CONFIRM_FIELD],
    },
  };
}

/**
 * Asks the person to confirm one call of `tool`, on the call's own request (so Streamable HTTP sends the question on
 * that request's stream) and cancelled with it. Only an accept whose form says `confirm: true` confirms; a decline,
 * a cancel, a timeout, a closed connection or an answer of another shape never does, and none of them throws.
 * @param timeoutMs how long the person has to answer.
 */
export async function askToConfirm(
  protocol: Server,
  tool: string,
  decision: Decision,
  extra: ToolCallExtra,
  timeoutMs: number,
): Promise<ConfirmationAnswer> {
  if (!canAskForm(protocol)) return { confirmed: false, failure: "unsupported" };
  let answer;
  try {
    answer = await protocol.elicitInput(confirmForm(tool, decision), {
      relatedRequestId: extra.requestId,
      signal: extra.signal,
      timeout: timeoutMs,
    });
  } catch (error) {
    // The SDK rejects an answer whose content breaks the form's schema, and a timeout or a lost connection.
    return { confirmed: false, failure: "unanswered", detail: error instanceof Error ? error.message : String(error) };
  }
  if (answer.action === "decline") return { confirmed: false, failure: "declined" };
  if (answer.action !== "accept") return { confirmed: false, failure: "cancelled" };
  return answer.content?.[CONFIRM_FIELD] === true ? CONFIRMED : { confirmed: false, failure: "declined" };
}
