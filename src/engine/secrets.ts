/** Every secret the run knows, so logs, outputs and files can be checked against them. */
export class SecretStore {
  private readonly values = new Set<string>();
  constructor(private readonly onAdd: (value: string) => void = () => undefined) {}

  add(value: string | undefined): void {
    // Very short values would mask ordinary words everywhere; none of ours is that short.
    if (!value || value.length < 4 || this.values.has(value)) return;
    this.values.add(value);
    this.onAdd(value);
  }

  list(): readonly string[] {
    return [...this.values];
  }
}
