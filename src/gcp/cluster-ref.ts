/** The GKE cluster the action works on, as its Google API paths name it. */
export interface ClusterRef {
  readonly name: string;
  readonly location: string;
  readonly project: string;
}
