// @ts-check
// view.js: render, the whole customer card from card (model.js): the
// channel on body[data-channel], the top (view-customer.js), the
// conversation pane (view-conversation.js), the controls
// (view-controls.js), the call timer and the footnote. It owns no state
// and imports those modules, dom.js and model.js.
import { $ } from "./dom.js";
import { card, channelOf } from "./model.js";
import { prefill, renderControls } from "./view-controls.js";
import { renderConversation, renderTimer } from "./view-conversation.js";
import { renderCustomer, renderHeader } from "./view-customer.js";

/** render renders the card; nothing before there is an interaction. */
export function render() {
  const it = card.it;
  if (!it) return;
  document.body.dataset.channel = channelOf(it);
  renderHeader(it);
  renderCustomer(it);
  renderConversation(it);
  renderControls(it);
  renderTimer();
  $("cc-footnote").textContent = `Interaction ${it.id || ""}`;
  prefill(it);
}
