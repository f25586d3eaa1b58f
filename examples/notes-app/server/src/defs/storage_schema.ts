// Buckets this app owns. `edgespark storage apply` creates or removes them to match.
export const buckets = {
  attachments: { public: false },
  avatars: { public: true },
} as const;
