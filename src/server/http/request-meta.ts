/** Who is asking, as the HTTP layer saw it. */
export interface RequestMeta {
  ip: string;
  userAgent: string;
}
