/** Moves focus into a panel that just opened in place, and brings it into view, so the person sees where they are. */
export function takeFocus(node: HTMLElement) {
  const first = node.querySelector<HTMLElement>('input, select, textarea, button');
  (first ?? node).focus({ preventScroll: true });
  node.scrollIntoView({ block: 'nearest' });
}
