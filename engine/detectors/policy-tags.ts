import { Type, type Static } from '@sinclair/typebox';
import type { CompiledDetector, DetectorType, Finding, Post } from './detector.js';
import { scopeParam } from './scope.js';

export const policyTagsParams = Type.Object(
  {
    type: Type.Literal('policy_tags'),
    required: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        default: [],
        description:
          'Tags every content must carry, e.g. `#AI`; the `#` is optional. ' +
          'Matched case-insensitively, whole tag only. Default: none.',
      }),
    ),
    from_metadata: Type.Optional(
      Type.String({
        minLength: 1,
        default: 'required_tags',
        description:
          'Request metadata key holding more required tags (an array of strings, or one string; other values are ignored). ' +
          'Default: required_tags.',
      }),
    ),
    scope: scopeParam(
      '`thread`: the tag must appear somewhere in the thread (fix: append to the last post); ' +
      '`post`: in every post. Default: thread.',
    ),
  },
  { additionalProperties: false },
);
export type PolicyTagsParams = Static<typeof policyTagsParams>;

interface Tag {
  /** As the pack or caller wrote it, with a leading `#`. */
  display: string;
  /** Lower-cased, for matching. */
  key: string;
}

// Characters that continue a hashtag: `#ad` is not present in `#advice` or `#ad_free`.
const TAG_CHAR = /[\p{L}\p{M}\p{N}_]/u;
const LEADING_HASHES = /^#+/;
const MAX_METADATA_TAGS = 50;
const MAX_CACHED_LISTS = 64;
const MAX_CACHED_KEY = 1_024;

function toTag(raw: string): Tag | undefined {
  const body = raw.trim().replace(LEADING_HASHES, '');
  if (body.length === 0) return undefined;
  return { display: `#${body}`, key: `#${body}`.toLowerCase() };
}

function metadataTags(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return [];
  return value.slice(0, MAX_METADATA_TAGS).filter((v): v is string => typeof v === 'string');
}

function uniqueTags(raws: string[]): Tag[] {
  const seen = new Map<string, Tag>();
  for (const raw of raws) {
    const tag = toTag(raw);
    if (tag && !seen.has(tag.key)) seen.set(tag.key, tag);
  }
  return [...seen.values()];
}

/** Whether `lowered` holds `key` as a whole tag (no tag character right after it). */
function hasTag(lowered: string, key: string): boolean {
  for (let at = lowered.indexOf(key); at !== -1; at = lowered.indexOf(key, at + 1)) {
    const before = lowered[at - 1];
    const after = lowered[at + key.length];
    if ((before === undefined || !TAG_CHAR.test(before)) && (after === undefined || !TAG_CHAR.test(after))) return true;
  }
  return false;
}

function missing(post: Post, tag: Tag): Finding {
  return { post: post.index, vars: { tag: tag.display }, edit: { action: 'append', replacement: ` ${tag.display}` } };
}

export const policyTagsDetector: DetectorType<PolicyTagsParams> = {
  type: 'policy_tags',
  vars: ['tag'],
  compile(params): CompiledDetector {
    const staticTags = uniqueTags(params.required ?? []);
    const key = params.from_metadata ?? 'required_tags';
    const perPost = (params.scope ?? 'thread') === 'post';
    // Callers send the same few tag lists again and again (`['#AI']` on every request): a short
    // list's tags are parsed once (the cache is emptied when it holds too many lists).
    const byList = new Map<string, Tag[]>();
    const requestTags = (extra: string[]): Tag[] => {
      const listKey = JSON.stringify(extra);
      let tags = byList.get(listKey);
      if (tags) return tags;
      tags = uniqueTags([...staticTags.map((t) => t.display), ...extra]);
      if (listKey.length > MAX_CACHED_KEY) return tags;
      if (byList.size >= MAX_CACHED_LISTS) byList.clear();
      byList.set(listKey, tags);
      return tags;
    };
    return {
      detect({ posts, metadata }) {
        const last = posts[posts.length - 1];
        if (!last) return [];
        const extra = metadataTags(metadata?.[key]);
        const tags = extra.length === 0 ? staticTags : requestTags(extra);
        if (tags.length === 0) return [];
        const lowered = posts.map((p) => p.text.toLowerCase());
        if (perPost) {
          return posts.flatMap((post, i) => tags.filter((t) => !hasTag(lowered[i]!, t.key)).map((t) => missing(post, t)));
        }
        return tags.filter((t) => !lowered.some((text) => hasTag(text, t.key))).map((t) => missing(last, t));
      },
    };
  },
};
