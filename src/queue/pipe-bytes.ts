/**
 * What `Connection.recvBytes` makes of a message: its bytes (a Buffer or
 * Uint8Array as sent, a string as UTF-8, anything else serialized), within
 * `maxLength`.
 */
import { serialize } from 'node:v8'
import { decodeItemSync, T_BUFFER, T_BYTES, T_STRING, T_STRING16, type Taken } from './codec.js'

/** Checked before a message is taken, so a bad maxLength loses nothing. */
export function checkMaxLength(maxLength: unknown, op: string): void {
  if (maxLength === undefined || maxLength === Infinity) return
  if (typeof maxLength !== 'number' || !Number.isInteger(maxLength) || maxLength < 0) {
    throw new RangeError(`Connection.${op}(maxLength): maxLength must be a non-negative integer number of bytes (got ${typeof maxLength === 'number' ? maxLength : typeof maxLength}); omit it for no limit`)
  }
}

/** The bytes of a taken message; RangeError past `maxLength`. */
export function asBytes(taken: Taken, maxLength: number | undefined): Buffer {
  let bytes: Buffer
  if (taken.tag === T_BUFFER || taken.tag === T_BYTES) bytes = taken.bytes ?? Buffer.alloc(0)
  else if (taken.tag === T_STRING || taken.tag === T_STRING16) bytes = Buffer.from(taken.text!, 'utf8')
  else if (taken.bytes !== undefined) bytes = taken.bytes
  else bytes = serialize(decodeItemSync(taken, 'Pipe'))
  if (maxLength !== undefined && bytes.byteLength > maxLength) {
    throw new RangeError(`Connection.recvBytes(): the message has ${bytes.byteLength} bytes, more than maxLength ${maxLength}`)
  }
  return bytes
}
