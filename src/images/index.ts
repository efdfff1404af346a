// The run's images: parse the inputs (config), find their sources on disk (sources), choose how
// they reach the cluster (strategy), build and deliver them (deliver), put them into pod specs
// (substitute), and remove their tags at teardown (cleanup).
//
//   inputs:     parseImageInputs(input, {build, tag, tagGiven, timeoutMs}) → ImagesConfig;
//               chooseDelivery(config, clusterFacts), to refuse before anything starts
//   preflight:  resolveImageSources(workspace, config.images) → per image {contextDir, dockerfile}
//   image:      deliverImages(config, sources, cluster, deps) → {strategy, images, substitutions}
//   prepare:    substituteImages(podSpec, substitutions) → {used, notes}; checkEveryImageUsed
//   post:       removeImageTags(runner, log, state.images)
// What the pipeline, preflight and teardown use is exported here; inputs.ts and kube/prepare.ts
// import config.ts, strategy.ts and substitute.ts directly.

export { resolveImageSources, type ImageSource } from './sources.js'
export { deliverImages, primaryReference } from './deliver.js'
export { imageLabels } from './docker.js'
export {
  imagesTeardownAction,
  manualRemoval,
  removeImageTags,
  type ImagesState
} from './cleanup.js'
