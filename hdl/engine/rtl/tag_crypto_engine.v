// tag_crypto_engine: security engine of an Ambient IoT tag (TS 33.369 clause 5.3.2, provisional
// profile profiles/provisional.toml). 128-NEA2 (AES-128-CTR) and 128-NIA2 (AES-128-CMAC, 32-bit
// MAC) on a frame buffer outside the engine, plus the message-level UNPROTECT / PROTECT, and the
// key derivation DERIVE (TS 33.369 A.3 / A.4 on the bit-serial SHA-256 / HMAC unit kdf_sha256)
// with a raw HASH for test vectors (the interface of /work/spec/derive.md).
//
// Interface
//   * Command: cmd_op / cmd_addr / cmd_len, sampled at cmd_valid && cmd_ready. Operations:
//       0 LOAD_KEYS, 1 ZEROIZE, 2 NEA2, 3 NIA2, 4 UNPROTECT, 5 PROTECT, 6 HASH, 7 DERIVE.
//       Status: 0 OK, 1 MAC_FAIL, 2 BAD_IND, 3 BAD_LEN, 4 NO_KEYS, 5 BAD_OP.
//   * HASH (6): one command octet {hmac, klen[6:0]}; region [cmd_addr, cmd_addr + cmd_len) = key
//     (klen octets) || message; SHA-256(message) (hmac 0, klen must be 0) or HMAC-SHA-256(key,
//     message); the 32-octet digest (FIPS byte order) is written to [cmd_addr, cmd_addr + 32)
//     as it leaves the unit after the last compression (it overwrites the key). BAD_LEN (nothing
//     written) for klen > 64, hmac 0 with klen != 0, cmd_len < klen, a region or a 32-octet
//     result leaving the buffer. rsp_mac 0; the key ring and keyed state are not touched.
//   * DERIVE (7): no command octets. K_AIoT from the key-store port (ltk_*), N_AIOTF / N_DEV read
//     from the buffer at cmd_addr + NA_OFF / ND_OFF (NA_LEN / ND_LEN octets);
//       KAIOTF = HMAC-SHA-256(K_AIoT, FC_A3 || N_AIOTF || u16(NA_LEN) || N_DEV || u16(ND_LEN)),
//       KCommand_enc / _int = octets 16..31 of HMAC-SHA-256(KAIOTF, FC_A4 || ENC_DIST / INT_DIST
//       || 00 01 || ALG_NEA2 / ALG_NIA2 || 00 01), straight into the key ring (slots 0..15 /
//       16..31, as LOAD_KEYS puts them); keyed; OK. BAD_LEN (key ring unchanged) if cmd_len <
//       max(NA_OFF + NA_LEN, ND_OFF + ND_LEN) or the region leaves the buffer; no other failure.
//       DERIVE never writes the buffer (mem_we low throughout); KAIOTF, the inner hashes and the
//       command keys reach no output (mem_wdata carries only a HASH digest or the AES paths,
//       mem_addr / ltk_idx only fixed schedules of the source indices). 34,039 cycles from the
//       handshake to rsp_valid with a zero-wait memory (tag_crypto_engine_tb prints it; budget
//       40,000).
//   * ltk_idx (out) / ltk_data (in) / ltk_len32 (in): the key store's read port: ltk_data =
//     K_AIoT octet ltk_idx (octet 0 first), combinational from ltk_idx, sampled at a rising edge;
//     ltk_idx follows the unit's fixed key-octet schedule during the A.3 call (3, 2, 1, 0, 7, ...,
//     twice: ipad and opad block) and is 0 otherwise. ltk_len32: K_AIoT is 32 (1) or 16 octets,
//     sampled when the A.3 call starts.
//   * Builds: HAS_KDF = 0 leaves the unit out (HASH / DERIVE answer BAD_OP, the key-store port is
//     unused); RAW_OPS = 0 (a tag build) makes LOAD_KEYS and HASH answer BAD_OP (without taking
//     command octets). FAULT (test only): 1 CMAC subkey choice, 2 AES S-box, 3 the SHA-256 unit's
//     Sigma1 rotation (kdf_sha256 FAULT = 1).
//   * Command octets (dat_valid / dat_ready / dat_data), taken after the command handshake:
//       LOAD_KEYS  32 octets: KCommand_enc octet 0..15, then KCommand_int octet 0..15
//                  (octet 0 = bits [127:120], the FIPS-197 byte order);
//       NEA2, NIA2  5 octets: COUNT[31:24], [23:16], [15:8], [7:0], {BEARER, DIRECTION, 2'b00}
//                  (the two low bits of the last octet are ignored);
//       other operations take none. dat_ready rises only in the cycle in which the key ring (or
//       the park register) passes the slot of the next octet, so it may stay low for up to 31
//       cycles per octet; an octet offered meanwhile simply waits.
//   * Response: rsp_status, rsp_mac (the 32-bit MAC after NIA2 and PROTECT, else 0), held until
//     rsp_ready. Memory: one octet per request, held until mem_ack.
//   * After reset and for ZEROIZE the engine scrubs itself for 32 cycles (cmd_ready low; ZEROIZE
//     answers OK after the scrub). The SHA-256 unit's zeroize is the engine's (zeroize input or
//     ZEROIZE) and its own 32-cycle scrub runs in the same cycles: every secret register, the
//     unit's v_q / w_q / cur_q / nxt_q / oreg_q / c_q and its chaining value in the AES core's
//     key / state registers included, is zero when cmd_ready
//     rises, 32 cycles after a reset cycle and 33 after a zeroize pulse (the zeroize edge plus
//     32 scrub edges), as before the unit was added. ph_q restarts at 0 with the unit's phase
//     on zeroize / ZEROIZE (HAS_KDF = 1), so the two always count alike.
//   * zeroize (input): the same clear in any state, whatever the engine is waiting for (a command
//     octet that never comes, a memory acknowledge, rsp_ready). Sampled at each rising edge: the
//     command in progress is abandoned (a memory request or response still pending is withdrawn;
//     a transfer or response handshake completed in that same cycle did happen), every register
//     is cleared at that edge or during the 32-cycle scrub that follows (cmd_ready low), and the
//     engine then returns to idle with no response. cmd_ready and dat_ready are low while zeroize
//     is high, so no command or octet is taken in that cycle.
//   * mem_own (output): the engine owns the frame buffer whenever it is not idle: from the cycle
//     after a command handshake until the cycle of its response handshake, inclusive, and during
//     the scrub after reset or zeroize (mem_own == !cmd_ready outside reset and zeroize cycles).
//     UNPROTECT reads the ciphered part twice (for the MAC, then to decipher it), so an
//     integration must not let any other master write the buffer while mem_own is high: a
//     region changed between the two reads would be deciphered unauthenticated.
//
// Area-first datapath (no 128-bit multiplexer anywhere in the engine):
//   * Key ring ring_q (g_ff.ring_q): the two keys as 32 octets in a byte-wide circular shift register that
//     rotates every cycle (slot p passes the output ro when the free-running phase ph_q == p;
//     KCommand_enc = slots 0..15, KCommand_int = slots 16..31). Its only logic is the octet
//     multiplexer at its input (rotate / new key octet / zero), so loading, holding and clearing
//     cost no per-bit gates; LOAD_KEYS writes slot p when ph_q == p.
//   * The AES core runs in its serial mode (aes128_core, SERIAL = 1): while idle its key register
//     shifts in one octet per cycle: the ring's input octet in the states that lead to a block
//     start, zeros otherwise. So it holds KCommand_enc after the cycle with ph_q == 15 and
//     KCommand_int after ph_q == 31: a block is started in exactly that cycle.
//     The core's state register is the working register of both modes: blocks are built in it
//     octet by octet (st_step: slot 15 <= (st_keep ? slot 0 : 0) ^ st_in, a one-octet rotation),
//     and results leave it the same way through slot 0 (out_block[127:120]).
//       - NEA2: the counter block COUNT||BEARER||DIRECTION||0^26||0^64 + i is written in 16
//         steps ending at ph_q == 15, the start cycle; each data octet is absorbed (s15 <= s0 ^ d)
//         and written back from slot 15.
//       - NIA2: X_{i-1} ^ M_i is absorbed in place (the first block overwrites). The final
//         block is parked in park_q (g_ff.park_q, a 16-octet register rotating like the ring, period 16) while
//         L = AES_K(0) is computed from the zeroed state, then written back XORed with K1 / K2,
//         which are derived octet by octet from L in slots 0 and 1 as it rotates out.
//   * park_q also holds the 5 header octets of a raw NEA2 / NIA2 (COUNT, BEARER, DIRECTION) in
//     slots 0..4; message operations take them from the parameters.
//   * Waits: a block starts only at its key's phase and the octets of park_q are used at theirs,
//     so each AES block costs up to 31 cycles of alignment on top of its 216 busy cycles.
//   * Power: ring_q shifts in every cycle (about 140 flip-flop toggles per cycle with random
//     keys, idle or not); park_q, the AES key and the AES state are fed zeros when not in use,
//     so they stop toggling (and hold nothing key-dependent) within 16 cycles of a command's end.
//     Gating the ring's clock while idle would need a hold enable (about 770 GE in this flow).
//   * The SHA-256 unit (kdf_sha256_core) has no chaining-value register of its own: during HASH
//     and DERIVE (S_KGO .. S_KEND, the AES core idle) the AES key and state registers are its
//     32-octet store, one circular shift register moving an octet every cycle (the unit's
//     h_out -> key_in, key slot 0 (key_out) -> st_in, state slot 0 (s0) -> its h_in: 16 + 16
//     octets, the 32-cycle delay the unit expects). The unit writes zeros into it while idle or
//     scrubbing, so it is zero again when a call ends (and reset / zeroize clear the AES core).
//     This saves the unit's 256 chaining-value flip-flops (about 1,000 GE).
//   * DERIVE's keys flow through the ring and park register only (no new key register): the A.3
//     digest KAIOTF goes into the ring as it leaves the unit (octet i in slot ks(i), see g_kdf,
//     written when that slot passes, so the unit's out_ready waits for it), the two A.4 calls
//     read it from there in the ring's phase order; the first A.4 result (KCommand_enc) waits in
//     park_q, the second (KCommand_int) goes into ring slots 16..31 as it leaves (the unit no
//     longer reads the key then), and S_KCPY finally moves park_q into ring slots 0..15. Within
//     16 cycles of DERIVE's response the ring again is the only register with key material.
//   * FPGA_STYLE = 1 (the iCE40 shim) keeps ring_q / park_q as two small RAMs addressed by the
//     phase (block RAM) and codes the AES core with flop enables: same behaviour cycle for cycle
//     (tag_crypto_engine_tb runs both codings in lockstep).
//   * KDF_STYLE = 1 (the iCE40 shim too) keeps the SHA-256 unit's rings and round constants in
//     block RAMs (kdf_sha256_core FPGA_STYLE 1; same behaviour cycle for cycle). It is a
//     parameter of its own so that the formal FPGA_STYLE proof (scripts/formal, engine-style)
//     keeps comparing the engine's codings with the unit's register coding on both sides; the
//     unit's block-RAM coding is proven equal to its register coding on its own (scripts/formal
//     kdf-style, FORMAL_DEEP=1) and simulated (kdf_sha256_fpga_tb, tag_crypto_engine_ice40_tb).
// Memory port: one octet per transfer; NEA2 does read then write per octet; the deciphered octets
// of UNPROTECT are written only after the 32-bit MAC comparison has passed. UNPROTECT reads the
// ciphered part twice (MAC, then decipher): mem_own (above) says when the buffer is the engine's;
// the iCE40 shim, the testbench harness and the Rust RTL backend all refuse other writes then.
// ADDR_W: 4 to 19 (a buffer of 16 octets to 512 KiB).
module tag_crypto_engine #(
  parameter integer ADDR_W      = 12,
  parameter integer CLEAR_LEN   = 2,
  parameter integer IND_OFFSET  = 1,
  parameter [7:0]   IND_NULL    = 8'h01,
  parameter [7:0]   IND_CIPHERED= 8'h02,
  parameter integer MAC_TRAILER = 0,
  parameter [31:0]  REQ_COUNT   = 32'h0,  parameter [4:0] REQ_BEARER = 5'd0, parameter [0:0] REQ_DIRECTION = 1'b1,
  parameter [31:0]  RSP_COUNT   = 32'h0,  parameter [4:0] RSP_BEARER = 5'd0, parameter [0:0] RSP_DIRECTION = 1'b0,
  parameter integer FAULT       = 0,   // test only: 1 CMAC subkey, 2 AES S-box, 3 SHA-256 Sigma1
  parameter integer FPGA_STYLE  = 0,  // 1: key ring / park register in block RAM, AES core with
                                      //    flop enables (iCE40); same function, cycle for cycle
  parameter integer KDF_STYLE   = 0,  // 1: the SHA-256 unit's rings and round constants in block
                                      //    RAM (iCE40; kdf_sha256_core FPGA_STYLE 1); same function
  // DERIVE (TS 33.369 A.3 / A.4, provisional profile): FC values, nonce offsets / lengths in the
  // frame buffer region, distinguishers, algorithm identifiers
  parameter [7:0]   FC_A3       = 8'h8a,
  parameter integer NA_OFF      = 0,
  parameter integer NA_LEN      = 16,
  parameter integer ND_OFF      = 16,
  parameter integer ND_LEN      = 8,
  parameter [7:0]   FC_A4       = 8'h69,
  parameter [7:0]   ENC_DIST    = 8'h07,
  parameter [7:0]   INT_DIST    = 8'h08,
  parameter [7:0]   ALG_NEA2    = 8'h02,
  parameter [7:0]   ALG_NIA2    = 8'h02,
  parameter integer HAS_KDF     = 1,  // 0: no SHA-256 unit; HASH / DERIVE answer ST_BAD_OP
  parameter integer RAW_OPS     = 1   // 0 (tag build): LOAD_KEYS / HASH answer ST_BAD_OP
) (
  input  wire              clk,
  input  wire              rst_n,
  input  wire              zeroize,
  input  wire              cmd_valid,
  output wire              cmd_ready,
  input  wire [2:0]        cmd_op,
  input  wire [ADDR_W-1:0] cmd_addr,
  input  wire [ADDR_W+3:0] cmd_len,
  input  wire              dat_valid,
  output wire              dat_ready,
  input  wire [7:0]        dat_data,
  output wire              rsp_valid,
  input  wire              rsp_ready,
  output wire [2:0]        rsp_status,
  output wire [31:0]       rsp_mac,
  output wire              mem_req,
  output wire              mem_we,
  output wire [ADDR_W-1:0] mem_addr,
  output wire [7:0]        mem_wdata,
  input  wire              mem_ack,
  input  wire [7:0]        mem_rdata,
  output wire              mem_own,
  output wire [4:0]        ltk_idx,
  input  wire [7:0]        ltk_data,
  input  wire              ltk_len32
);
  localparam integer W  = ADDR_W;
  localparam integer LW = ADDR_W + 4;               // length register (bits)
  localparam integer CW = W - 3;                    // NEA2 block index bits (off_q[W:4])

  // operations / status
  localparam [2:0] OP_LOAD = 3'd0, OP_ZERO = 3'd1, OP_NEA = 3'd2, OP_NIA = 3'd3,
                   OP_UNP  = 3'd4, OP_PRO  = 3'd5, OP_HASH = 3'd6, OP_DER = 3'd7;
  localparam [2:0] ST_OK = 3'd0, ST_MAC_FAIL = 3'd1, ST_BAD_IND = 3'd2, ST_BAD_LEN = 3'd3,
                   ST_NO_KEYS = 3'd4, ST_BAD_OP = 3'd5;

  // layout constants (offsets inside the message)
  localparam integer OFF_BODY0_I = CLEAR_LEN + 4;
  localparam integer OFF_NEA_I   = (MAC_TRAILER != 0) ? CLEAR_LEN : CLEAR_LEN + 4;
  localparam [W:0] OFF_IND   = IND_OFFSET[W:0];
  localparam [W:0] OFF_CLEAR = CLEAR_LEN[W:0];           // MAC field (MAC_TRAILER = 0)
  localparam [W:0] OFF_BODY0 = OFF_BODY0_I[W:0];         // ciphered part (MAC_TRAILER = 0)
  localparam [W:0] OFF_NEA   = OFF_NEA_I[W:0];           // ciphered part
  localparam [LW-1:0] MIN_LEN = OFF_BODY0_I[LW-1:0];
  localparam [LW-1:0] TRAIL   = (MAC_TRAILER != 0) ? 4 : 0;
  localparam [39:0] HDR_REQ = {REQ_COUNT, REQ_BEARER, REQ_DIRECTION, 2'b00};
  localparam [39:0] HDR_RSP = {RSP_COUNT, RSP_BEARER, RSP_DIRECTION, 2'b00};

  // states
  localparam [4:0] S_ZERO = 5'd0,  S_IDLE = 5'd1,  S_DAT  = 5'd2,  S_CHK  = 5'd3,
                   S_RSP  = 5'd4,  S_IND  = 5'd5,  S_INDD = 5'd6,  S_CABS = 5'd7,
                   S_CDEC = 5'd8,  S_CGO  = 5'd9,  S_CRUN = 5'd10, S_PARK = 5'd11,
                   S_LRUN = 5'd12, S_KX   = 5'd13, S_FRUN = 5'd14, S_MCMP = 5'd15,
                   S_MREL = 5'd16, S_MWR  = 5'd17, S_ESTART = 5'd18, S_EABS = 5'd19,
                   S_ERUN = 5'd20, S_ERD  = 5'd21, S_EWR  = 5'd22, S_CSET = 5'd23,
                   S_ESET = 5'd24, S_KGO  = 5'd25, S_KRUN = 5'd26, S_KEND = 5'd27,
                   S_KCPY = 5'd28;

  // DERIVE / HASH constants
  localparam integer KAW     = (ADDR_W < 6) ? 6 : ADDR_W;    // the SHA-256 unit's index width
  localparam integer S3_LEN  = 5 + NA_LEN + ND_LEN;          // A.3 S: FC N_AIOTF L0 N_DEV L1
  localparam integer DSPAN_I = (NA_OFF + NA_LEN > ND_OFF + ND_LEN) ? NA_OFF + NA_LEN : ND_OFF + ND_LEN;
  localparam [LW-1:0] DER_SPAN = DSPAN_I[LW-1:0];
  localparam [15:0] NAL16 = NA_LEN[15:0], NDL16 = ND_LEN[15:0];
  // message octet m of S (A.3) -> buffer offset m + (m <= NA_LEN ? NA_OFF - 1 : ND_OFF - NA_LEN - 3)
  localparam integer KO_NA_I = NA_OFF - 1;
  localparam integer KO_ND_I = ND_OFF - NA_LEN - 3;
  localparam [W-1:0] KO_NA = KO_NA_I[W-1:0], KO_ND = KO_ND_I[W-1:0];

  // ---------------------------------------------------------------- registers
  (* fsm_encoding = "one-hot" *) reg [4:0] state_q;
  reg [2:0]    op_q;
  reg [2:0]    status_q;
  reg          keyed_q;
  reg [4:0]    ph_q;       // free-running ring phase
  reg          mism_q    /* verilator public_flat_rd */;
  // mbal_q balances mism_q in the MAC compare: it flips in every compared octet in which mism_q
  // does not, so each compare cycle flips exactly one of the two registers whichever octet is
  // wrong (mism_q flips at most once, at the first wrong octet), and its final value depends on
  // the verdict alone. Without it the register activity told which MAC octet was the first wrong
  // one (aiotsec leakage: |t| = 70.6 over 3000 traces), i.e. how many leading octets of a
  // forgery were right. Balanced in the Hamming-distance model; a netlist keeps it so only with
  // matched cells and routing (a back-end matter). It drives nothing, so it is kept (* keep *)
  // against synthesis removing it (a back end needs the same: dont_touch).
  (* keep *) reg mbal_q  /* verilator public_flat_rd */;
  reg [1:0]    lmsb_q    /* verilator public_flat_rd */;  // L[127:126] (K1 / K2 carries)
  reg [W-1:0]  base_q;
  reg [W:0]    off_q;
  reg [LW-1:0] len_q;
  reg [4:0]    j_q;        // octet index (block step, command octet, scrub cycle)
  reg          first_q;    // building the first CMAC block (absorb overwrites)
  reg          pad_q;      // the CMAC stream has ended inside the current block (padded)
  reg          ciph_q;     // indication = ciphered
  reg          indc_q, indn_q; // indication octet == IND_CIPHERED / IND_NULL
  reg          aes_clr_q;  // ZEROIZE: one-cycle synchronous reset of the AES core
  reg          badlen_q;   // region check of the command, registered at the handshake
  reg  [7:0]   hcfg_q;     // HASH command octet: {hmac, klen} (not secret)
  reg  [1:0]   dstg_q;     // DERIVE call: 0 A.3 (KAIOTF), 1 A.4 enc, 2 A.4 int

  wire [7:0]   ro;         // ring slot ph_q leaving
  wire [7:0]   lo;         // park slot ph_q[3:0] leaving

  // ---------------------------------------------------------------- AES core (serial mode)
  wire         aes_idle;
  wire         aes_out_valid;
  wire [127:0] aes_out;
  reg          aes_go, st_step, st_keep;
  reg  [7:0]   st_in;
  reg  [7:0]   ri;         // ring input octet
  wire [7:0]   key_oct;    // the AES key register's input octet (ri or zero, see key_want)
  wire [7:0]   s0 = aes_out[127:120];
  wire [1:0]   s1 = aes_out[119:118];             // top bits of slot 1 (K1 / K2 carries)
  wire [7:0]   s15 = aes_out[7:0];
  wire [7:0]   aes_kout;   // AES key slot 0 (HASH / DERIVE: the unit's chaining-value store)
  // slots 4..14 are reached through the rotation only; out_valid is not needed (aes_idle)
  wire         unused_aes = ^{aes_out_valid, aes_out[95:8]};

  aes128_core #(.FAULT_SBOX((FAULT == 2) ? 1 : 0), .FPGA_STYLE(FPGA_STYLE), .SERIAL(1)) u_aes (
    .clk(clk), .rst_n(rst_n && !aes_clr_q),
    .in_valid(aes_go), .in_ready(aes_idle), .in_key(128'd0), .in_block(128'd0),
    .out_valid(aes_out_valid), .out_ready(1'b1), .out_block(aes_out),
    .key_in(key_oct), .st_step(st_step), .st_keep(st_keep), .st_in(st_in), .key_out(aes_kout));

  // ---------------------------------------------------------------- region bookkeeping
  wire [2:0]   len_rem = len_q[2:0];
  reg          full_q, part_q, skip_q;    // region compares of off_q, registered with it
  wire         avail   = full_q || part_q;
  wire [7:0]   mask    = part_q ? ~(8'hff >> len_rem) : 8'hff;
  wire [7:0]   padbit  = 8'h80 >> len_rem;
  wire         msg_op  = op_q[2];                       // UNPROTECT / PROTECT
  wire         raw_op  = !op_q[2];
  wire         hdr_oct = first_q && !j_q[3];            // CMAC header octets 0..7
  wire         ph_j    = (ph_q[3:0] == j_q[3:0]);       // park slot j passes lo
  wire         j15     = (j_q[3:0] == 4'd15);
  wire         j14     = (j_q[3:0] == 4'd14);

  // (HASH / DERIVE: the unit's source or digest index plus a constant offset, see g_kdf)
  wire [W-1:0] k_moff;
  wire         in_krun = (state_q == S_KRUN);
  wire         k_call  = (state_q == S_KGO) || in_krun || (state_q == S_KEND);   // one unit call
  assign mem_addr = base_q + (in_krun ? k_moff : off_q[W-1:0]);

  // header octet j (0..4: COUNT, BEARER||DIRECTION||00; then 0): raw ops from park slot j, message
  // ops from the parameters (UNPROTECT: request, PROTECT: response)
  wire [39:0]  hdr_k = op_q[0] ? HDR_RSP : HDR_REQ;
  reg  [7:0]   hd_oct;
  always @(*) begin
    case (j_q[2:0])
      3'd0: hd_oct = hdr_k[39:32];
      3'd1: hd_oct = hdr_k[31:24];
      3'd2: hd_oct = hdr_k[23:16];
      3'd3: hd_oct = hdr_k[15:8];
      3'd4: hd_oct = hdr_k[7:0];
      default: hd_oct = 8'h00;
    endcase
    if (raw_op && (j_q[2:0] < 3'd5)) hd_oct = lo;
    if (j_q[3]) hd_oct = 8'h00;
  end
  // NEA2 counter block octet j: header, zeros, block index i in octets 14..15
  // i = (off_q - start) / 16 at a block start, where off_q[3:0] == start[3:0]: the low nibble
  // never borrows, so i = off_q[W:4] - start[W:4] (no subtraction at all when the ciphered part
  // starts within the first 16 octets, as in the profile)
  wire [CW-1:0] blk_i = off_q[W:4] - (msg_op ? OFF_NEA[W:4] : {CW{1'b0}});
  wire [15:0]   blk = {{(16-CW){1'b0}}, blk_i};
  wire [7:0]    ctr_oct = j15 ? blk[7:0] : j14 ? blk[15:8] : (j_q[3:2] == 2'b11) ? 8'h00 : hd_oct;

  // K1 / K2 octet j from L rotating out of the state (TS 33.401 / RFC 4493 subkeys)
  wire [1:0]   obn = j15 ? 2'b00 : s1;
  wire [7:0]   k1  = {s0[6:0], obn[1]} ^ ((j15 && lmsb_q[1]) ? 8'h87 : 8'h00);
  wire [7:0]   k2  = {s0[5:0], obn}    ^ ((j15 && lmsb_q[1]) ? 8'h0e : 8'h00)
                                       ^ ((j15 && lmsb_q[0]) ? 8'h87 : 8'h00)
                                       ^ ((j14 && lmsb_q[1]) ? 8'h01 : 8'h00);
  wire [7:0]   kb  = (pad_q && (FAULT != 1)) ? k2 : k1;

  // ---------------------------------------------------------------- command decode (handshake)
  wire         cmd_hs  = cmd_valid && (state_q == S_IDLE) && !zeroize;
  wire         c_raw   = (cmd_op == OP_NEA) || (cmd_op == OP_NIA);
  wire         c_msg   = (cmd_op == OP_UNP) || (cmd_op == OP_PRO);
  wire         c_hash  = (cmd_op == OP_HASH);
  wire         c_der   = (cmd_op == OP_DER);
  // region check: raw ops in bits, message ops in octets (start + length <= buffer), written
  // without a wide adder: whole octets c_n must fit the room 2**W - addr left after the start,
  // and a raw region that exactly fills the room may not carry a partial trailing octet.
  wire [LW-1:0] c_n    = c_raw ? {3'd0, cmd_len[LW-1:3]} : cmd_len;
  wire [LW:0]  c_room  = {{(LW-W){1'b0}}, 1'b1, {W{1'b0}}} - {{(LW+1-W){1'b0}}, cmd_addr};
  // HASH: the 32-octet result must fit too; DERIVE: the region covers both nonces
  wire         c_badlen = ({1'b0, c_n} > c_room) || (c_raw && ({1'b0, c_n} == c_room) && (cmd_len[2:0] != 3'd0)) ||
                          (c_msg && (cmd_len < MIN_LEN)) ||
                          (c_hash && (c_room < {{(LW-5){1'b0}}, 6'd32})) || (c_der && (cmd_len < DER_SPAN));
  // length register: bits for the raw and message ops, octets for HASH / DERIVE
  wire [LW-1:0] c_len  = (c_raw || cmd_op[2:1] == 2'b11) ? cmd_len : {cmd_len[LW-4:0] - TRAIL[LW-4:0], 3'd0};

  // ---------------------------------------------------------------- control
  reg  [4:0]   state_d;
  reg          st_ld, setup_mac, setup_nea, step_off, j_inc, j_clr, clr_all, take;
  reg  [2:0]   st_d;
  // the builds: which ops exist
  localparam   HAVE_LOAD = (RAW_OPS != 0);
  localparam   HAVE_HASH = (RAW_OPS != 0) && (HAS_KDF != 0);
  localparam   HAVE_DER  = (HAS_KDF != 0);
  // the op under way, as far as a build has it: a LOAD_KEYS / HASH that a build leaves out is
  // answered in S_CHK and takes no command octet and no unit call, so gating these with the build
  // changes nothing it does, and lets synthesis drop the HASH offsets, length and digest writes
  // and the LOAD_KEYS key path from a tag build (RAW_OPS = 0)
  wire         dat_load = HAVE_LOAD && (op_q == OP_LOAD);
  wire         dat_hash = HAVE_HASH && (op_q == OP_HASH);
  assign dat_ready = (state_q == S_DAT) && (dat_load ? (ph_q == j_q) : (dat_hash || ph_j)) && !zeroize;
  // HASH command octet checks
  wire [6:0]   h_klen  = hcfg_q[6:0];
  wire         h_bad   = (h_klen > 7'd64) || (!hcfg_q[7] && (h_klen != 7'd0)) ||
                         (len_q < {{(LW-7){1'b0}}, h_klen});
  // the SHA-256 unit (g_kdf below)
  wire         k_start_ready, k_src_req, k_src_key, k_out_valid, k_busy;
  wire [KAW-1:0] k_src_idx;
  wire [7:0]   k_out_data;
  wire [4:0]   k_out_idx;
  reg          k_start;
  wire         k_src_ack, k_out_ready;
  wire         k_last = k_out_valid && k_out_ready && (k_out_idx == 5'd0);

  always @(*) begin
    state_d = state_q; st_ld = 1'b0; st_d = ST_OK; setup_mac = 1'b0; setup_nea = 1'b0;
    step_off = 1'b0; j_inc = 1'b0; j_clr = 1'b0; clr_all = 1'b0; take = 1'b0;
    aes_go = 1'b0; st_step = 1'b0; st_keep = 1'b0; st_in = 8'h00; k_start = 1'b0;
    case (state_q)
      S_ZERO: begin                                   // scrub: zeros through ring and park
        j_inc = 1'b1;
        if (j_q == 5'd31) state_d = (op_q == OP_ZERO) ? S_RSP : S_IDLE;
      end
      S_IDLE: begin
        st_step = 1'b1;               // the state is stepped with zeros while idle: cleared within
                                      // 16 cycles, then it no longer toggles
        if (cmd_valid) begin
          j_clr = 1'b1;
          if (cmd_op == OP_ZERO) begin clr_all = 1'b1; state_d = S_ZERO; end
          else if ((cmd_op == OP_LOAD && HAVE_LOAD) || c_raw || (c_hash && HAVE_HASH)) state_d = S_DAT;
          else state_d = S_CHK;
        end
      end
      S_DAT: if (dat_valid && dat_ready) begin
        take = 1'b1; j_inc = 1'b1;
        if (j_q == (dat_load ? 5'd31 : dat_hash ? 5'd0 : 5'd4)) state_d = S_CHK;
      end
      S_CHK: begin
        st_ld = 1'b1; state_d = S_RSP;
        if (op_q == OP_LOAD)                           st_d = HAVE_LOAD ? ST_OK : ST_BAD_OP;
        else if (op_q == OP_HASH) begin
          if (!HAVE_HASH)                              st_d = ST_BAD_OP;
          else if (badlen_q || h_bad)                  st_d = ST_BAD_LEN;
          else begin                                   st_ld = 1'b0; state_d = S_KGO; end
        end else if (op_q == OP_DER) begin
          if (!HAVE_DER)                               st_d = ST_BAD_OP;
          else if (badlen_q)                           st_d = ST_BAD_LEN;
          else begin                                   st_ld = 1'b0; state_d = S_KGO; end
        end
        else if (!keyed_q)                             st_d = ST_NO_KEYS;
        else if (badlen_q)                             st_d = ST_BAD_LEN;
        else if (op_q == OP_NEA) begin                 st_ld = 1'b0; state_d = S_ESET; end
        else if (op_q == OP_NIA) begin                 st_ld = 1'b0; state_d = S_CSET; end
        else begin                                     st_ld = 1'b0; state_d = S_IND; end
      end
      S_RSP: if (rsp_ready) state_d = S_IDLE;
      // the indication octet's two compares are registered and decided on in the next cycle
      S_IND: if (mem_ack) state_d = S_INDD;
      S_INDD: begin
        if (!indc_q && !indn_q) begin
          st_ld = 1'b1; st_d = ST_BAD_IND; state_d = S_RSP;
        end else if ((op_q == OP_PRO) && indc_q) begin
          state_d = S_ESET;
        end else begin
          state_d = S_CSET;
        end
      end
      // ---- CMAC: absorb one block into the state, one octet per step
      S_CABS: begin
        st_keep = !first_q;
        if (hdr_oct) begin                             // header octets: park slot j aligned
          st_in = hd_oct; st_step = ph_j;
        end else if (skip_q) begin
          st_step = 1'b0;                              // jump over the MAC field (off_d)
        end else if (avail) begin
          st_in = part_q ? ((mem_rdata & mask) | padbit) : mem_rdata;
          st_step = mem_ack; step_off = mem_ack;
        end else begin
          st_in = pad_q ? 8'h00 : 8'h80;
          st_step = 1'b1;
        end
        j_inc = st_step;
        if (st_step && j15) state_d = S_CDEC;
      end
      S_CDEC: if (!skip_q) begin
        j_clr = 1'b1;
        state_d = avail ? S_CGO : S_PARK;
      end
      S_CGO: if (ph_q == 5'd31) begin aes_go = 1'b1; state_d = S_CRUN; end
      S_CRUN: if (aes_idle) begin j_clr = 1'b1; state_d = S_CABS; end
      // final block: park it (state <- 0 on the way), L = AES_K(0), write it back ^ K1 / K2
      S_PARK: if (j_q[3:0] != 4'd0 || ph_q == 5'd16) begin
        st_step = 1'b1; j_inc = 1'b1;
        if (j15) begin aes_go = 1'b1; state_d = S_LRUN; end
      end
      S_LRUN: if (aes_idle) begin j_clr = 1'b1; state_d = S_KX; end
      S_KX: if (j_q[3:0] != 4'd0 || ph_q == 5'd16) begin
        st_step = 1'b1; st_in = lo ^ kb; j_inc = 1'b1;
        if (j15) begin aes_go = 1'b1; state_d = S_FRUN; end
      end
      S_FRUN: if (aes_idle) begin
        j_clr = 1'b1;
        if (op_q == OP_NIA) begin st_ld = 1'b1; st_d = ST_OK; state_d = S_RSP; end
        else if (op_q == OP_UNP) state_d = S_MCMP;
        else state_d = S_MWR;
      end
      // ---- MAC field: compare (UNPROTECT) or write (PROTECT), rotating the tag out of slot 0
      S_MCMP: if (mem_ack) begin
        st_step = 1'b1; st_keep = 1'b1; step_off = 1'b1; j_inc = 1'b1;
        if (j_q[1:0] == 2'd3) state_d = S_MREL;
      end
      S_MREL: begin
        st_ld = 1'b1; state_d = S_RSP;
        if (mism_q) st_d = ST_MAC_FAIL;
        else if (ciph_q) begin st_ld = 1'b0; state_d = S_ESET; end
      end
      S_MWR: begin                                   // 4 writes, then 12 more rotations
        st_keep = 1'b1;
        st_step = j_q[2] || j_q[3] || mem_ack; step_off = !j_q[2] && !j_q[3] && mem_ack;
        j_inc = st_step;
        if (st_step && j15) begin st_ld = 1'b1; st_d = ST_OK; state_d = S_RSP; end
      end
      // ---- NEA2: counter block written in 16 steps ending at ph 15 (start), then per octet
      // read (absorbed: s15 <= keystream ^ data) and write back of slot 15
      S_ESTART: begin
        j_clr = 1'b1;
        if (avail) state_d = S_EABS;
        else if (op_q == OP_PRO) state_d = S_CSET;
        else begin st_ld = 1'b1; st_d = ST_OK; state_d = S_RSP; end
      end
      // every pass is set up in a state of its own, so the offset / compare selects depend on the
      // state alone (not on the checks that chose the pass)
      S_CSET: begin setup_mac = 1'b1; state_d = S_CABS; end
      S_ESET: begin setup_nea = 1'b1; state_d = S_ESTART; end
      S_EABS: if (j_q[3:0] != 4'd0 || ph_q == 5'd0) begin
        st_step = 1'b1; st_in = ctr_oct; j_inc = 1'b1;
        if (j15) begin aes_go = 1'b1; state_d = S_ERUN; end
      end
      S_ERUN: if (aes_idle) begin j_clr = 1'b1; state_d = S_ERD; end
      S_ERD: begin
        if (!avail) state_d = S_ESTART;
        else if (mem_ack) begin st_step = 1'b1; st_keep = 1'b1; st_in = mem_rdata; state_d = S_EWR; end
      end
      S_EWR: if (mem_ack) begin
        step_off = 1'b1; j_inc = 1'b1;
        state_d = j15 ? S_ESTART : S_ERD;
      end
      // ---- HASH / DERIVE: one call of the SHA-256 unit per S_KGO .. S_KEND (k_call; the AES
      // core is the unit's chaining-value store meanwhile, below)
      S_KGO:  begin k_start = 1'b1; if (k_start_ready) state_d = S_KRUN; end
      S_KRUN: if (k_last) state_d = S_KEND;
      S_KEND: if (k_start_ready) begin                 // the unit has scrubbed itself
        if (op_q == OP_HASH) begin st_ld = 1'b1; st_d = ST_OK; state_d = S_RSP; end
        else if (dstg_q == 2'd2) begin j_clr = 1'b1; state_d = S_KCPY; end
        else state_d = S_KGO;
      end
      // KCommand_enc: park slot j -> ring slot j (both pass at ph_q == j), park cleared behind
      S_KCPY: if (j_q[3:0] != 4'd0 || ph_q == 5'd0) begin
        j_inc = 1'b1;
        if (j15) begin st_ld = 1'b1; st_d = ST_OK; state_d = S_RSP; end
      end
      default: state_d = S_IDLE;
    endcase
    // a unit call (HAS_KDF builds): the AES key and state registers (the core idle) are the
    // unit's chaining-value store, one 32-octet ring: k_hout -> key slots 15..0 -> key_out ->
    // state slots 15..0 -> s0 (see g_kdf)
    if ((HAS_KDF != 0) && k_call) begin st_step = 1'b1; st_in = aes_kout; end
  end

  assign cmd_ready  = (state_q == S_IDLE) && rst_n && !zeroize;  // none in a reset / zeroize cycle
  assign mem_own    = (state_q != S_IDLE);
  assign rsp_valid  = (state_q == S_RSP);
  // the response shows the tag exactly when an NIA2 or PROTECT command ended well (the tag is
  // then in state slots 0..3: NIA2 ends right after the final block, PROTECT after 16 rotations)
  wire   show       = rsp_valid && (status_q == ST_OK) && ((op_q == OP_NIA) || (op_q == OP_PRO));
  assign rsp_status = status_q;
  assign rsp_mac    = show ? aes_out[127:96] : 32'd0;
  wire   mwr_wr     = (state_q == S_MWR) && !j_q[2] && !j_q[3];
  wire   k_mreq, k_mwe;                            // HASH / DERIVE memory transfers (g_kdf)
  wire [7:0] k_wdata;
  assign mem_req    = (state_q == S_IND) || (state_q == S_MCMP) || mwr_wr ||
                      (state_q == S_EWR) || ((state_q == S_ERD) && avail) ||
                      ((state_q == S_CABS) && !hdr_oct && !skip_q && avail) || k_mreq;
  assign mem_we     = (state_q == S_EWR) || mwr_wr || k_mwe;
  // write data only with a write: otherwise the AES state (the expected MAC of a frame being
  // verified, the CMAC subkey L) would show on the bus; HASH writes its digest (k_wdata is 0
  // outside a HASH digest write, so nothing of a DERIVE can reach the bus)
  assign mem_wdata  = ((state_q == S_EWR) ? (s15 & mask) : (mwr_wr ? s0 : 8'h00)) | k_wdata;

  // ---------------------------------------------------------------- sequential (synchronous reset)
  wire clr = !rst_n || clr_all || zeroize;
  wire zeroing = !rst_n || (state_q == S_ZERO);
  wire k_zero = clr_all || zeroize;                 // the unit's zeroize (with rst_n: its clear)

  always @(posedge clk) aes_clr_q <= rst_n && (clr_all || zeroize);

  // key ring and park register: byte-wide circular shift registers, logic only at their inputs.
  // park_q keeps its octets only while they are needed (the header of a raw operation, the parked
  // final CMAC block) and is otherwise filled with zeros; the AES key register gets the ring's
  // octets only in the states that lead to a block start (zeros otherwise). So within 16 cycles
  // of the end of a command the key ring is the only register holding key-dependent data, and
  // park_q / the AES registers stop toggling.
  // DERIVE: park_q holds KCommand_enc from the first A.4 digest until S_KCPY moves it to the ring
  wire park_keep = (state_q == S_PARK) || (state_q == S_LRUN) || (state_q == S_KX) ||
                   (raw_op && (state_q != S_IDLE) && (state_q != S_RSP) && (state_q != S_ZERO)) ||
                   ((op_q == OP_DER) && (dstg_q != 2'd0) && k_call) ||
                   ((state_q == S_KCPY) && !j_inc);           // kept until its slot is copied
  wire k_ring_wr, k_park_wr;                        // a digest octet into the ring / park (g_kdf)
  wire k_cpy = (state_q == S_KCPY) && j_inc;       // park slot ph_q -> ring slot ph_q
  wire key_want  = (state_q == S_CABS) || (state_q == S_CDEC) || (state_q == S_CGO) ||
                   (state_q == S_PARK) || (state_q == S_KX) || (state_q == S_EABS);
  wire [7:0] k_hout;                                // the unit's store octet (g_kdf)
  assign key_oct = key_want ? ri : k_call ? k_hout : 8'h00;
  reg  [7:0] li;
  always @(*) begin
    ri = ro;
    li = lo;
    if (take && dat_load) ri = dat_data;
    if (k_ring_wr) ri = k_out_data;
    if (k_cpy) ri = lo;
    if (!park_keep) li = 8'h00;
    if (take && raw_op && !dat_load) li = dat_data & ((j_q[2:0] == 3'd4) ? 8'hfc : 8'hff);
    if (k_park_wr) li = k_out_data;
    if (state_q == S_PARK && st_step) li = s0;
    if (zeroing) begin ri = 8'h00; li = 8'h00; end
  end
  // the phase restarts with the SHA-256 unit's (reset, zeroize, ZEROIZE), so both count alike
  always @(posedge clk) ph_q <= (!rst_n || ((HAS_KDF != 0) && k_zero)) ? 5'd0 : ph_q + 5'd1;
  // ph_q + 7 as a counter of its own (the unit's ring slot match, g_kdf: no adder before it)
  reg [4:0] ph7_q;
  always @(posedge clk) ph7_q <= (!rst_n || ((HAS_KDF != 0) && k_zero)) ? 5'd7 : ph7_q + 5'd1;
  generate
    if (FPGA_STYLE == 0) begin : g_ff
      // ASIC: shift registers (no gate per bit)
      reg [255:0] ring_q /* verilator public_flat_rd */;
      reg [127:0] park_q /* verilator public_flat_rd */;
      always @(posedge clk) begin
        ring_q <= {ring_q[247:0], ri};
        park_q <= {park_q[119:0], li};
      end
      assign ro = ring_q[255:248];
      assign lo = park_q[127:120];
    end else begin : g_ram
      // FPGA: the same circular buffers as RAMs addressed by the phase (iCE40 block RAM): slot
      // ph_q is written in each cycle and the slot of the next cycle is read ahead (registered
      // read), so ro / lo are the slots ph_q / ph_q[3:0] exactly as in the shift registers.
      reg [7:0] ring_m [0:31];
      reg [7:0] park_m [0:15];
      reg [7:0] ro_q, lo_q;
      wire [4:0] ph_nx = ph_q + 5'd1;
      always @(posedge clk) begin
        ring_m[ph_q] <= ri;
        park_m[ph_q[3:0]] <= li;
        ro_q <= ring_m[ph_nx];
        lo_q <= park_m[ph_nx[3:0]];
      end
      assign ro = ro_q;
      assign lo = lo_q;
    end
  endgenerate

  // offset within the message / region, and its compares against the length computed from the
  // next values so that full / part / skip come straight from flops
  // (the step case, decided late from avail / mem_ack, selects compares of off_q + 1 computed in
  // parallel; every other case depends on the state and a few flops only)
  wire [W:0]    off_inc = off_q + {{W{1'b0}}, 1'b1};
  wire [W:0]    len_oct_q = len_q[LW-1:3];
  reg  [W:0]    off_d, off_n;
  always @(*) begin
    off_n = off_q;
    if (clr) off_n = {(W+1){1'b0}};
    else if (cmd_hs) off_n = OFF_IND;
    else if (setup_mac) off_n = {(W+1){1'b0}};
    else if (setup_nea) off_n = msg_op ? OFF_NEA : {(W+1){1'b0}};
    else if (skip_q && (((state_q == S_CABS) && !hdr_oct) || (state_q == S_CDEC))) off_n = OFF_BODY0;
    else if ((state_q == S_FRUN) && (MAC_TRAILER == 0)) off_n = OFF_CLEAR;
    off_d = (step_off && !clr) ? off_inc : off_n;
  end
  wire [LW-1:0] len_d    = clr ? {LW{1'b0}} : cmd_hs ? c_len : len_q;
  wire [W:0]    len_oct_d = len_d[LW-1:3];
  wire          msg_op_d = clr ? 1'b0 : cmd_hs ? cmd_op[2] : op_q[2];
  always @(posedge clk) begin
    off_q  <= off_d;
    if (step_off && !clr) begin
      full_q <= (off_inc < len_oct_q);
      part_q <= (off_inc == len_oct_q) && (len_q[2:0] != 3'd0);
      skip_q <= (MAC_TRAILER == 0) && msg_op && (off_inc == OFF_CLEAR);
    end else begin
      full_q <= (off_n < len_oct_d);
      part_q <= (off_n == len_oct_d) && (len_d[2:0] != 3'd0);
      skip_q <= (MAC_TRAILER == 0) && msg_op_d && (off_n == OFF_CLEAR);
    end
  end

  always @(posedge clk) begin
    if (clr) begin
      // the ZEROIZE command answers after its scrub; reset and the zeroize input do not
      state_q <= S_ZERO; op_q <= (rst_n && clr_all && !zeroize) ? OP_ZERO : OP_LOAD; status_q <= ST_OK; mism_q <= 1'b0;
      mbal_q <= 1'b0;
      keyed_q <= 1'b0; badlen_q <= 1'b0; base_q <= {W{1'b0}}; len_q <= {LW{1'b0}}; j_q <= 5'd0;
      first_q <= 1'b0; pad_q <= 1'b0; ciph_q <= 1'b0; indc_q <= 1'b0; indn_q <= 1'b0;
      lmsb_q <= 2'b00; hcfg_q <= 8'h00; dstg_q <= 2'd0;
    end else begin
      state_q <= state_d;
      if (st_ld) status_q <= st_d;
      if (cmd_hs) begin
        op_q <= cmd_op; base_q <= cmd_addr; len_q <= c_len; mism_q <= 1'b0;
        mbal_q <= 1'b0; badlen_q <= c_badlen;
      end
      if ((state_q == S_CHK) && (op_q == OP_LOAD) && HAVE_LOAD) keyed_q <= 1'b1;
      if ((state_q == S_KCPY) && j_inc && j15) keyed_q <= 1'b1;    // DERIVE done
      if (take && dat_hash) hcfg_q <= dat_data;
      if (cmd_hs) dstg_q <= 2'd0;
      else if ((state_q == S_KEND) && k_start_ready && (op_q == OP_DER) && (dstg_q != 2'd2))
        dstg_q <= dstg_q + 2'd1;
      if ((state_q == S_IND) && mem_ack) begin
        indc_q <= (mem_rdata == IND_CIPHERED); indn_q <= (mem_rdata == IND_NULL);
      end
      if (state_q == S_INDD) ciph_q <= indc_q;
      if ((state_q == S_MCMP) && mem_ack) begin
        mism_q <= mism_q || (mem_rdata != s0);
        mbal_q <= mbal_q ^ (mism_q || (mem_rdata == s0));   // flips iff mism_q does not
      end
      if ((state_q == S_KX) && st_step && (j_q[3:0] == 4'd0)) lmsb_q <= s0[7:6];
      if (state_q == S_FRUN) lmsb_q <= 2'b00;          // L's bits are not kept past the pass
      // octet index
      if (j_clr || setup_mac || setup_nea) j_q <= 5'd0;
      else if (j_inc) j_q <= j_q + 5'd1;
      // CMAC flags
      if (setup_mac) begin first_q <= 1'b1; pad_q <= 1'b0; end
      if ((state_q == S_CDEC) && !skip_q) first_q <= 1'b0;
      if ((state_q == S_CABS) && st_step && !hdr_oct && (part_q || !avail)) pad_q <= 1'b1;
    end
  end

  // ---------------------------------------------------------------- SHA-256 / HMAC unit (HASH, DERIVE)
  // One call per S_KGO .. S_KEND. Its phase equals ph_q (both restart together), so the key ring
  // can serve KAIOTF octets exactly when the unit's fetch window for them is open.
  //   HASH:   key and message octets from the buffer (key octet i at cmd_addr + i, message octet i
  //           at cmd_addr + klen + i), the digest octet i written to cmd_addr + i.
  //   DERIVE: A.3 key octets from the key store (ltk_idx), S from the parameters and the nonces
  //           (buffer reads); the digest KAIOTF into the ring, octet i in slot ks(i); A.4 key
  //           octets from the ring (acknowledged in the cycle their slot passes), S from the
  //           parameters; digest octets 16..31 of the first call into park slot i - 16, of the
  //           second call into ring slot i (KCommand_int), the rest dropped; S_KCPY then moves
  //           park slots 0..15 into ring slots 0..15 (KCommand_enc).
  //   ks(i) = {~i[1:0], i[4:2]} - 7: the unit takes the octets of a word (key index 4t+3 .. 4t)
  //   at phases 0, 8, 16, 24 of round t and requests each (registered) in the 6 cycles before:
  //   with this slot order 24 of the 32 key octets of a block pass the ring inside their request
  //   window (the other 8 cost a 32-cycle wait each).
  generate
    if (HAS_KDF != 0) begin : g_kdf
      wire          k_hash = dat_hash;                 // (HASH in this build)
      wire          k_a3   = !k_hash && (dstg_q == 2'd0);
      wire [KAW-1:0] m     = k_src_idx;
      wire [KAW-1:0] xi    = k_src_idx | {{(KAW-5){1'b0}}, k_out_idx};
      wire [4:0]    ph7    = ph7_q;
      wire          kmatch = (ph7 == {~xi[1:0], xi[4:2]});
      // A.3 message segments (index m of S = FC || N_AIOTF || L0 || N_DEV || L1)
      localparam integer B1_I = NA_LEN + 1, B2_I = NA_LEN + 2, B3_I = NA_LEN + 3, B4_I = NA_LEN + 3 + ND_LEN;
      localparam [KAW-1:0] B0 = NA_LEN[KAW-1:0], B1 = B1_I[KAW-1:0], B2 = B2_I[KAW-1:0], B3 = B3_I[KAW-1:0],
                           B4 = B4_I[KAW-1:0];
      wire          m_na   = (m != {KAW{1'b0}}) && (m <= B0);
      wire          m_nd   = (m >= B3) && (m < B4);
      wire          a3_mem = k_a3 && k_src_req && !k_src_key && (m_na || m_nd);
      reg  [7:0]    kconst;
      always @(*) begin
        kconst = 8'h00;
        if (k_a3) begin
          if (m == {KAW{1'b0}})         kconst = FC_A3;
          else if (m == B1)             kconst = NAL16[15:8];
          else if (m == B2)             kconst = NAL16[7:0];
          else if (m == B4)             kconst = NDL16[15:8];
          else                          kconst = NDL16[7:0];
        end else begin
          case (m[2:0])
            3'd0: kconst = FC_A4;
            3'd1: kconst = (dstg_q == 2'd1) ? ENC_DIST : INT_DIST;
            3'd3: kconst = 8'h01;
            3'd4: kconst = (dstg_q == 2'd1) ? ALG_NEA2 : ALG_NIA2;
            3'd6: kconst = 8'h01;
            default: kconst = 8'h00;
          endcase
        end
      end
      wire       k_mack;                       // a buffer transfer of the unit acknowledged
      wire [7:0] src_data = k_hash ? mem_rdata : k_src_key ? (k_a3 ? ltk_data : ro) :
                            a3_mem ? mem_rdata : kconst;
      assign k_src_ack   = in_krun && (k_hash ? k_mack : (k_src_key && !k_a3) ? kmatch : a3_mem ? k_mack : 1'b1);
      assign k_out_ready = in_krun && (k_hash ? k_mack :
                                       k_a3 ? kmatch :
                                       !k_out_idx[4] ? 1'b1 :
                                       (dstg_q == 2'd1) ? (ph_q[3:0] == k_out_idx[3:0]) : (ph_q == k_out_idx));
      wire          k_take = in_krun && k_out_valid && k_out_ready && !k_hash;
      assign k_ring_wr = k_take && (k_a3 || ((dstg_q == 2'd2) && k_out_idx[4]));
      assign k_park_wr = k_take && (dstg_q == 2'd1) && k_out_idx[4];
      // buffer offset: HASH message octets after the key, A.3 nonce octets at their offsets
      /* verilator lint_off UNUSEDSIGNAL */   // only the W low bits of the padded length
      wire [W+6:0]  klen32 = {{W{1'b0}}, h_klen};
      /* verilator lint_on UNUSEDSIGNAL */
      wire [W-1:0]  kofs = k_hash ? ((k_src_req && !k_src_key) ? klen32[W-1:0] : {W{1'b0}}) :
                           m_na ? KO_NA : KO_ND;
      // the buffer offset of a source read is registered (moff_q) and the read goes out from the
      // request's second cycle (mseen_q): the segment decode and the offset adder then end in
      // flip-flops instead of running on into mem_addr (one cycle more per octet read). A HASH
      // digest write (its index a register of the unit, no offset) goes out at once.
      wire          k_dwr   = in_krun && k_hash && k_out_valid;
      wire          k_mwant = in_krun && (k_hash ? k_src_req : a3_mem);
      reg  [W-1:0]  moff_q;
      reg           mseen_q;
      always @(posedge clk) begin
        moff_q  <= k_mwant ? xi[W-1:0] + kofs : {W{1'b0}};
        mseen_q <= k_mwant && !(mseen_q && mem_ack) && rst_n && !k_zero;
      end
      // (moff_q is 0 while the unit shows a digest octet, out_idx is 0 while it does not)
      assign k_moff  = moff_q | {{(W-5){1'b0}}, k_out_idx};
      assign k_mreq  = (k_mwant && mseen_q) || k_dwr;
      assign k_mack  = (mseen_q || k_dwr) && mem_ack;
      assign k_mwe   = k_dwr;
      assign k_wdata = k_mwe ? k_out_data : 8'h00;
      assign ltk_idx = (in_krun && k_a3 && k_src_key) ? k_src_idx[4:0] : 5'd0;
      // HASH: the message length, registered in S_CHK (the unit reads start_len while it is
      // busy; a register keeps the subtraction out of its padding compares)
      reg  [KAW:0]  h_mlen;
      always @(posedge clk)
        if (!rst_n || k_zero) h_mlen <= {(KAW+1){1'b0}};
        else if (HAVE_HASH && (state_q == S_CHK)) h_mlen <= len_q[KAW:0] - {{(KAW-6){1'b0}}, h_klen};
      localparam [KAW:0] S3L = S3_LEN[KAW:0];
      localparam [KAW:0] S4L = 7;
      kdf_sha256_core #(.AW(KAW), .FAULT((FAULT == 3) ? 1 : 0), .FPGA_STYLE(KDF_STYLE)) u_kdf (
        .clk(clk), .rst_n(rst_n), .zeroize(k_zero),
        .start_valid(k_start), .start_ready(k_start_ready),
        .start_hmac(k_hash ? hcfg_q[7] : 1'b1),
        .start_klen(k_hash ? h_klen : (k_a3 && !ltk_len32) ? 7'd16 : 7'd32),
        .start_len(k_hash ? h_mlen : k_a3 ? S3L : S4L),
        .src_req(k_src_req), .src_key(k_src_key), .src_idx(k_src_idx), .src_ack(k_src_ack),
        .src_data(src_data),
        .out_valid(k_out_valid), .out_ready(k_out_ready), .out_data(k_out_data), .out_idx(k_out_idx),
        .busy(k_busy), .h_out(k_hout), .h_in(s0));
      wire unused_kdf = ^{k_busy, xi};   // the engine waits on start_ready instead; xi above W bits
    end else begin : g_nokdf
      assign k_start_ready = 1'b0; assign k_src_req = 1'b0; assign k_src_key = 1'b0;
      assign k_out_valid = 1'b0; assign k_busy = 1'b0; assign k_src_idx = {KAW{1'b0}};
      assign k_out_data = 8'h00; assign k_out_idx = 5'd0;
      assign k_ring_wr = 1'b0; assign k_park_wr = 1'b0; assign k_moff = {W{1'b0}};
      assign k_mreq = 1'b0; assign k_mwe = 1'b0; assign k_wdata = 8'h00; assign ltk_idx = 5'd0;
      assign k_src_ack = 1'b0; assign k_out_ready = 1'b0; assign k_hout = 8'h00;
      // the key-store port is not used
      wire unused_ltk = ^{ltk_data, ltk_len32, ph7_q, aes_kout, k_start, k_busy, hcfg_q, h_bad, k_src_req, k_src_key, k_src_idx,
                          k_src_ack};
    end
  endgenerate

endmodule
