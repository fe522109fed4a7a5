// `wire5g subscriber add|list|remove`: manages the UDR's subscriber database.

import { parseArgs } from 'node:util';
import { UdrStore, InvalidSubscriber } from '../nodes/udr/store.ts';
import { DEFAULT_CONFIG, DEFAULT_SUBSCRIBER, loadConfig } from '../nodes/common/config.ts';

const USAGE = `usage:
  wire5g subscriber add --supi imsi-001010000000002 [--k HEX32] [--opc HEX32] [--amf 8000] [--sqn HEX12]
                        [--sst 1] [--sd HEX6] [--dnn internet] [--usage OCTETS] [--db FILE | --config FILE]
  wire5g subscriber list [--db FILE | --config FILE]
  wire5g subscriber remove SUPI [--db FILE | --config FILE]
Defaults for K/OPc/AMF/SQN are the embedded test subscriber's; the database defaults to ${DEFAULT_CONFIG.udr.database}.`;

export function subscriberCommand(argv: string[]): number {
  const [action, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      supi: { type: 'string' }, k: { type: 'string' }, opc: { type: 'string' }, amf: { type: 'string' }, sqn: { type: 'string' },
      sst: { type: 'string' }, sd: { type: 'string' }, dnn: { type: 'string' }, usage: { type: 'string' },
      db: { type: 'string' }, config: { type: 'string' },
    },
  });
  const db = values.db ?? loadConfig(values.config).udr.database;
  if (!['add', 'list', 'remove'].includes(action ?? '')) {
    console.error(USAGE);
    return 2;
  }
  const store = new UdrStore(db);
  try {
    switch (action) {
      case 'add': {
        if (!values.supi) {
          console.error(USAGE);
          return 2;
        }
        const r = store.upsert({
          supi: values.supi,
          k: values.k ?? DEFAULT_SUBSCRIBER.k,
          opc: values.opc ?? DEFAULT_SUBSCRIBER.opc,
          amf: values.amf ?? DEFAULT_SUBSCRIBER.amf,
          sqn: values.sqn ?? DEFAULT_SUBSCRIBER.sqn,
          snssais: [{ sst: Number(values.sst ?? 1), ...(values.sd ? { sd: values.sd } : {}) }],
          dnns: [values.dnn ?? 'internet'],
          ...(values.usage ? { allowedUsageOctets: Number(values.usage) } : {}),
        });
        console.log(`added ${r.supi} to ${db}`);
        return 0;
      }
      case 'list':
        for (const s of store.list()) {
          console.log(`${s.supi}  sqn ${s.sqn}  amf ${s.amf}  s-nssai ${s.snssais.map((n) => (n.sd ? `${n.sst}/${n.sd}` : n.sst)).join(',')}  dnn ${s.dnns.join(',')}`);
        }
        return 0;
      default: {
        const supi = positionals[0] ?? values.supi;
        if (!supi) {
          console.error(USAGE);
          return 2;
        }
        const removed = store.remove(supi);
        console.log(removed ? `removed ${supi}` : `no subscriber ${supi}`);
        return removed ? 0 : 1;
      }
    }
  } catch (e) {
    if (e instanceof InvalidSubscriber) {
      console.error(`wire5g subscriber: ${e.message}`);
      return 2;
    }
    throw e;
  } finally {
    store.close();
  }
}
