/**
 * The minimum fee of a transaction: `feePerByte` times its encoded size. The fee field is
 * always 9 bytes on the wire, so a signer can size the transaction before choosing its fee.
 */
export function minimumFee(txBytes: number, feePerByte: bigint): bigint {
  return BigInt(txBytes) * feePerByte;
}
