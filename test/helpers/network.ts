// Test networks: the default configuration moved to 127.0.<third>.x so that test files running in
// parallel never meet each other's sockets, with the UDR in memory.
import { DEFAULT_CONFIG, type NetworkConfig } from '../../nodes/common/config.ts';

export function testConfig(third: number, over: Partial<NetworkConfig> = {}): NetworkConfig {
  const cfg = structuredClone(DEFAULT_CONFIG);
  const a = (n: number) => `127.0.${third}.${n}`;
  cfg.addresses = { amf: a(5), smf: a(4), upf: a(7), ausf: a(11), udm: a(12), pcf: a(13), udr: a(20), gnb: a(100) };
  cfg.udr.database = ':memory:';
  return { ...cfg, ...over };
}
