/** A shadow candidate is written `pack@version`; the version is what follows the last `@`. */
export interface PackRef {
  pack: string;
  version: string;
}

export function parseShadowRef(ref: string): PackRef | undefined {
  const at = ref.lastIndexOf('@');
  if (at < 1 || at === ref.length - 1) return undefined;
  return { pack: ref.slice(0, at), version: ref.slice(at + 1) };
}

export function formatShadowRef(ref: PackRef): string {
  return `${ref.pack}@${ref.version}`;
}
