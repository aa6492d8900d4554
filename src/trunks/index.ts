export { AddressMatcher, addressBytes, parseAddressBlock, type AddressBlock } from './address-matcher.js';
export { CAMPAIGNS, IVR_FLOW, flowFilesOf, normaliseDid, parseTrunks, type Campaign, type TrunkDefinition, type TrunkDefinitions, type TrunkOutbound, type TrunkRegistration } from './parse-trunks.js';
export { TrunkDirectory, type ResolveA } from './trunk-directory.js';
export { TrunkFileError } from './trunk-file-error.js';
export { trunkHostResolver, type TrunkDns } from './host-resolver.js';
