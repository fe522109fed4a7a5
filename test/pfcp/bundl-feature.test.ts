// The BUNDL feature bits wire5g's SMF and UPF announce in the PFCP Association Setup, read by an
// independent dissector: CP Function Features octet 5 bit 5 (TS 29.244 8.2.58) and UP Function
// Features octet 7 bit 7 (8.2.25), with no other feature of those octets set by them.

import { describe, it, expect } from 'vitest';
import { tempCapture } from '../helpers/capture.ts';
import { dissect, problems, tsharkAvailable } from '../helpers/tshark.ts';
import * as P from '../../codecs/pfcp/index.ts';
import { UP_FUNCTION_FEATURES } from '../../nodes/upf/upf.ts';

describe.skipIf(!tsharkAvailable())('BUNDL in the PFCP Association Setup, dissected by tshark', () => {
  it('the SMF\'s request has CP BUNDL alone; the UPF\'s response has UP BUNDL with BUCP, DDND and FTUP', () => {
    const { capture, path } = tempCapture('pfcp-bundl');
    const smf = { address: '127.0.0.1', port: 8805 };
    const upf = { address: '127.0.0.2', port: 8805 };
    const nodeId = { type: 'ipv4' as const, value: '127.0.0.1' };
    capture.udp(smf, upf, P.encodePfcp(P.associationSetupRequest(1, nodeId, 3_900_000_000, P.CpFunctionFeature.BUNDL)));
    capture.udp(upf, smf, P.encodePfcp(P.associationSetupResponse(1, nodeId, P.PfcpCause.RequestAccepted, 3_900_000_000, { value: UP_FUNCTION_FEATURES, octets: 3 })));
    capture.close();
    const [req, rsp] = dissect(path);
    expect(problems([req, rsp])).toEqual([]);
    const f = (frame: typeof req, name: string) => frame.fields.get(name)?.[0];
    expect(f(req, 'pfcp.cp_function_features.bundl')).toBe('1');
    for (const other of ['load', 'ovrl', 'epfar', 'sset']) expect(f(req, `pfcp.cp_function_features.${other}`)).toBe('0');
    expect(f(rsp, 'pfcp.up_function_features.bundl')).toBe('1');
    for (const on of ['bucp', 'ddnd', 'ftup']) expect(f(rsp, `pfcp.up_function_features.${on}`)).toBe('1');
    for (const off of ['dlbd', 'trst', 'pfdm', 'heeu', 'treu', 'empu', 'pdiu', 'udbc', 'quoac', 'mte_n4', 'gcom']) expect(f(rsp, `pfcp.up_function_features.${off}`)).toBe('0');
  });
});
