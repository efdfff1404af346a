// The run's images: parse the inputs (config), find their sources on disk (sources), choose how
// they reach the cluster (strategy), build and deliver them (deliver), put them into pod specs
// (substitute), and remove their tags at teardown (cleanup).
//
//   inputs:     parseImageInputs(input, {build, tag, tagGiven, timeoutMs}) → ImagesConfig
//   preflight:  resolveImageSources(workspace, config.images) → per image {contextDir, dockerfile}
//   image:      deliverImages(config, sources, cluster, deps) → {strategy, images, substitutions}
//   prepare:    substituteImages(podSpec, substitutions) → {used, notes}; checkEveryImageUsed
//   post:       removeImageTags(runner, log, state.images)

export {
  LOAD_STRATEGIES,
  parseImageInputs,
  type BuildSecret,
  type ImageSpec,
  type ImagesConfig,
  type LoadStrategy
} from './config.js'
export { resolveImageSources, type ImageSource } from './sources.js'
export { chooseDelivery, type ClusterFacts, type DeliveryChoice } from './strategy.js'
export {
  deliverImages,
  primaryReference,
  type DeliveredImage,
  type DeliveredImages
} from './deliver.js'
export { imageLabels } from './docker.js'
export {
  checkEveryImageUsed,
  substituteImages,
  type PullPolicyRule,
  type RunImage
} from './substitute.js'
export {
  imagesTeardownAction,
  manualRemoval,
  removeImageTags,
  type ImagesState
} from './cleanup.js'
