import { MemoryThrottleStore } from '../../../src/shared/auth-throttle.js';
import { throttleScenarios } from './auth-throttle-scenarios.js';

describe('AuthThrottle (memory store)', () => {
  throttleScenarios(() => new MemoryThrottleStore());
});
