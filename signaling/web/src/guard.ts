// Leaving a page that holds live media (a broadcast) asks first: the
// browser's beforeunload for reloads and closing, confirm() for the app's
// own navigation (links, the back button, disconnecting the wallet).
let reason: string | undefined;

/** holdPage asks before leaving while `why` is set; the returned function releases it. */
export function holdPage(why: string): () => void {
  reason = why;
  return () => { if (reason === why) reason = undefined; };
}

/** mayLeave asks the user when a page holds live media; true when it may go. */
export function mayLeave(): boolean {
  return !reason || window.confirm(`${reason} Leave anyway?`);
}

/** leaveTo navigates without asking: the user already chose to end what the page held. */
export function leaveTo(hash: string): void {
  reason = undefined;
  location.hash = hash;
}

export function held(): boolean {
  return reason !== undefined;
}

window.addEventListener("beforeunload", (e) => {
  if (!reason) return;
  e.preventDefault();
  e.returnValue = ""; // Chromium's prompt needs returnValue set
});
