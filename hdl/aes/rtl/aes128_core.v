// aes128_core -- compact byte-serial AES-128 encryption core (the datapath of aes128_enc and of
// tag_crypto_engine).
//
// Architecture (one shared S-box, on-the-fly key schedule, no round-key store):
//   * state_q and key_q are 16-byte shift registers; byte k of FIPS-197 (bits
//     [127-8k -: 8] of in_block/in_key/out_block) sits in byte slot k.
//   * A round is 16 "pass" cycles + 4 "key" cycles.  In a pass cycle slot 0 of
//     state and key leaves the register, is combined, and re-enters at slot 15:
//         s15 <= SBox(s0 ^ k0)     (round 10: s15 <= s0 ^ k0, the final AddRoundKey)
//         k15 <= k0                (the round key is produced as it is used)
//     Slot 0 already holds the mixed state byte and the round-key byte:
//       - MixColumns is applied one cycle ahead, to the column in slots 1..4,
//         written shifted into slots 0..3 (pass cycles 3, 7, 11 of rounds 1..9;
//         column 0 in the last key cycle of the round before);
//       - the key byte entering slot 0 is already chained, k0 <= k1 ^ k13 when
//         the next cycle computes bytes 4..15 of round keys 1..10
//         (w[i] = w[i-4] ^ w[i-1]).
//     So the S-box input is one XOR (or the key byte k13) away from flops: the
//     critical path is flop -> S-box -> next-state AND-OR (about 30 MHz on an
//     iCE40 UP5K instead of 25).
//   * Pass cycle 15 of rounds 0..9 does not shift: ShiftRows is applied with byte
//     j landing in slot j+1 (mod 16), byte 15 (the one in the datapath) coming
//     from the S-box into slot 4.  In the 4 key cycles the S-box serves the key
//     schedule: every key word rotates by one byte inside itself (4 rotations =
//     identity), and k3 <= k0 ^ SBox(k13) ^ rcon computes w[4(r+1)] = w[4r] ^
//     SubWord(RotWord(w[4r+3])) ^ Rcon byte by byte.  The state holds in key
//     cycles 0..2 and rotates back by one slot in key cycle 3 (slot 15 <= slot 0),
//     MixColumns of column 0 on the way.
//   * 10 x 20 + 16 = 216 busy cycles; the next block is accepted in the cycle
//     the result is taken, so back-to-back throughput is 217 cycles per block.
//
// Reset (rst_n low, synchronous, needs a clock edge) clears every register,
// key and state included.  FAULT_SBOX is a test-only fault-injection hook.
// FPGA_STYLE selects how the state/key register update is coded: 0 (default,
// ASIC) as AND-OR of one-hot selects that are all 0 in reset, so neither the
// clear nor the hold costs a mux per flop; 1 (FPGA) as reset/enable priority
// logic that maps onto flops with clock-enable and sync reset.  Same function.
//
// SERIAL = 0: the block and key are loaded in parallel from in_block / in_key (aes128_enc).
// SERIAL = 1 (tag_crypto_engine): in_key / in_block are ignored and the user owns the state
// between blocks, octet by octet:
//   * key_in: while idle (not busy) the key register shifts one octet per cycle, slot 15 <= key_in
//     (slot k <= slot k+1), so the key of a block is the last 16 octets offered, the one of the
//     start cycle included;
//   * st_step (idle only): the state rotates one octet, slot 15 <= (st_keep ? slot 0 : 0) ^ st_in,
//     so 16 steps with st_keep = 0 write a block, with st_keep = 1 XOR one in place, and slot 0
//     (out_block[127:120]) shows each octet as it leaves;
//   * in_valid starts an encryption of the state as it stands after this cycle's step (in_ready
//     = not busy); out_valid pulses when it is done (out_ready is ignored: tie it to 1);
//   * key_out shows key slot 0, the octet that leaves the key register in an idle cycle, so
//     idle, with st_step high, st_keep low and st_in = key_out, key and state are one 32-octet
//     circular shift register (key_in -> key slots 15..0 -> state slots 15..0 -> out_block
//     [127:120]): tag_crypto_engine keeps the SHA-256 unit's chaining value there.
//     SERIAL = 0: key_out is 0.
//   * while idle the inputs of MixColumns and of the S-box are held at 0 (operand isolation),
//     so octet steps, key loads and the chaining value make the two largest combinational
//     blocks neither switch nor compute on them (about 80 GE in the engine).
module aes128_core #(
  parameter FAULT_SBOX = 0,  // test only: corrupt S-box output for input 8'h53
  parameter FPGA_STYLE = 0,  // 1: same logic coded with flop enables (iCE40 shim)
  parameter SERIAL     = 0   // 1: octet-serial key load and state access (see header)
) (
  input  wire         clk,
  input  wire         rst_n,
  input  wire         in_valid,
  output wire         in_ready,
  input  wire [127:0] in_key,
  input  wire [127:0] in_block,
  output wire         out_valid,
  input  wire         out_ready,
  output wire [127:0] out_block,
  // SERIAL = 1 only (tie to 0 otherwise)
  input  wire   [7:0] key_in,     // key octet shifted in every idle cycle
  input  wire         st_step,    // idle: rotate the state one octet, slot 15 <= ...
  input  wire         st_keep,    //   ... (st_keep ? slot 0 : 0) ^ st_in
  input  wire   [7:0] st_in,
  output wire   [7:0] key_out     // SERIAL = 1: key slot 0
);
  reg [127:0] state_q /* verilator public_flat_rd */;
  reg [127:0] key_q   /* verilator public_flat_rd */;
  reg         busy_q;
  reg         outv_q;
  reg   [3:0] rnd_q;   // 0..10
  reg   [4:0] cnt_q;   // 0..15 pass, 16..19 key cycles
  reg         pass_q;  // busy and cnt_q < 16 (decoded from the next counter values)
  wire        busy_d, outv_d;
  wire  [3:0] rnd_d;
  wire  [4:0] cnt_d;

  // byte views
  wire [7:0] s [0:15];
  wire [7:0] k [0:15];
  genvar gi;
  generate
    for (gi = 0; gi < 16; gi = gi + 1) begin : g_bytes
      assign s[gi] = state_q[127-8*gi -: 8];
      assign k[gi] = key_q[127-8*gi -: 8];
    end
  endgenerate

  // SERIAL: the state belongs to the user between blocks (no output handshake to wait for)
  assign in_ready  = ~busy_q & ((SERIAL != 0) | ~outv_q | out_ready);
  assign out_valid = outv_q;
  assign out_block = state_q;
  assign key_out   = (SERIAL != 0) ? k[0] : 8'h00;

  wire load     = in_valid & in_ready;
  wire pass     = pass_q;
  wire kcyc     = busy_q &  cnt_q[4];
  wire last_rnd = rnd_q[3] & rnd_q[1];          // rnd_q == 10 (never exceeds 10)
  wire first_rnd = (rnd_q == 4'd0);
  wire cnt3     = (cnt_q[1:0] == 2'd3);
  wire kq3      = kcyc & cnt3;                   // last key cycle: state rotates one slot
  // MixColumns of the column in slots 1..4, written shifted into slots 0..3: in pass cycles
  // 3, 7, 11 of rounds 1..9, and in the last key cycle of rounds 0..8 (column 0 of the next round)
  wire mc_en    = (pass & cnt3 & (cnt_q[3:2] != 2'd3) & ~first_rnd & ~last_rnd) |
                  (kq3 & ~(rnd_q[3] & rnd_q[0]));  // not after round 9
  // Last pass cycle of rounds 0..9: instead of shifting, ShiftRows is applied with byte j
  // landing in slot j+1 (mod 16); byte 15, the one in the datapath, enters slot 4 from the S-box.
  // The last key cycle then rotates the state back by one slot (MixColumns of column 0 on the way).
  wire p15      = pass & (cnt_q[3:0] == 4'd15) & ~last_rnd;
  wire sr_en    = p15;
  // SERIAL: an idle st_step rotates the state one octet (slot 15 takes the absorbed octet)
  wire stp      = (SERIAL != 0) & ~busy_q & st_step;
  wire shift    = (pass & ~p15) | kq3 | stp;

  // MixColumns of one column {a0, a1, a2, a3} (a0 in bits 31:24): the 92-XOR straight-line
  // program of A. Maximov, "AES MixColumn with 92 XOR gates" (IACR ePrint 2019/833); x / y bit k
  // is bit k % 8 of byte k / 8.
  function [31:0] mixcol(input [31:0] col);
    reg [31:0] x, y;
    reg [59:0] t;
    begin
      x = {col[7:0], col[15:8], col[23:16], col[31:24]};
      t[0] = x[0] ^ x[8]; t[1] = x[16] ^ x[24]; t[2] = x[1] ^ x[9]; t[3] = x[17] ^ x[25];
      t[4] = x[2] ^ x[10]; t[5] = x[18] ^ x[26]; t[6] = x[3] ^ x[11]; t[7] = x[19] ^ x[27];
      t[8] = x[4] ^ x[12]; t[9] = x[20] ^ x[28]; t[10] = x[5] ^ x[13]; t[11] = x[21] ^ x[29];
      t[12] = x[6] ^ x[14]; t[13] = x[22] ^ x[30]; t[14] = x[23] ^ x[31]; t[15] = x[7] ^ x[15];
      t[16] = x[8] ^ t[1]; y[0] = t[15] ^ t[16]; t[17] = x[7] ^ x[23]; t[18] = x[24] ^ t[0];
      y[16] = t[14] ^ t[18]; t[19] = t[1] ^ y[16]; y[24] = t[17] ^ t[19]; t[20] = x[27] ^ t[14];
      t[21] = t[0] ^ y[0]; y[8] = t[17] ^ t[21]; t[22] = t[5] ^ t[20]; y[19] = t[6] ^ t[22];
      t[23] = x[11] ^ t[15]; t[24] = t[7] ^ t[23]; y[3] = t[4] ^ t[24]; t[25] = x[2] ^ x[18];
      t[26] = t[17] ^ t[25]; t[27] = t[9] ^ t[23]; t[28] = t[8] ^ t[20]; t[29] = x[10] ^ t[2];
      y[2] = t[5] ^ t[29]; t[30] = x[26] ^ t[3]; y[18] = t[4] ^ t[30]; t[31] = x[9] ^ x[25];
      t[32] = t[25] ^ t[31]; y[10] = t[30] ^ t[32]; y[26] = t[29] ^ t[32]; t[33] = x[1] ^ t[18];
      t[34] = x[30] ^ t[11]; y[22] = t[12] ^ t[34]; t[35] = x[14] ^ t[13]; y[6] = t[10] ^ t[35];
      t[36] = x[5] ^ x[21]; t[37] = x[30] ^ t[17]; t[38] = x[17] ^ t[16]; t[39] = x[13] ^ t[8];
      y[5] = t[11] ^ t[39]; t[40] = x[12] ^ t[36]; t[41] = x[29] ^ t[9]; y[21] = t[10] ^ t[41];
      t[42] = x[28] ^ t[40]; y[13] = t[41] ^ t[42]; y[29] = t[39] ^ t[42]; t[43] = x[15] ^ t[12];
      y[7] = t[14] ^ t[43]; t[44] = x[14] ^ t[37]; y[31] = t[43] ^ t[44]; t[45] = x[31] ^ t[13];
      y[15] = t[44] ^ t[45]; y[23] = t[15] ^ t[45]; t[46] = t[12] ^ t[36]; y[14] = y[6] ^ t[46];
      t[47] = t[31] ^ t[33]; y[17] = t[19] ^ t[47]; t[48] = t[6] ^ y[3]; y[11] = t[26] ^ t[48];
      t[49] = t[2] ^ t[38]; y[25] = y[24] ^ t[49]; t[50] = t[7] ^ y[19]; y[27] = t[26] ^ t[50];
      t[51] = x[22] ^ t[46]; y[30] = t[11] ^ t[51]; t[52] = x[19] ^ t[28]; y[20] = x[28] ^ t[52];
      t[53] = x[3] ^ t[27]; y[4] = x[12] ^ t[53]; t[54] = t[3] ^ t[33]; y[9] = y[8] ^ t[54];
      t[55] = t[21] ^ t[31]; y[1] = t[38] ^ t[55]; t[56] = x[4] ^ t[17]; t[57] = x[19] ^ t[56];
      y[12] = t[27] ^ t[57]; t[58] = x[3] ^ t[28]; t[59] = t[17] ^ t[58]; y[28] = x[20] ^ t[59];
      mixcol = {y[7:0], y[15:8], y[23:16], y[31:24]};
    end
  endfunction
  // SERIAL: while idle the state and key move under the user's control (octet steps, key loads,
  // the SHA-256 unit's chaining value in tag_crypto_engine) and MixColumns and the S-box are not
  // used, so their inputs are held at 0 (operand isolation: no switching in the two largest
  // combinational blocks then, and no data-dependent activity in them)
  wire        iso = (SERIAL != 0) & ~busy_q;
  wire [31:0] mcc = mixcol({s[1], s[2], s[3], s[4]} & {32{~iso}});   // the column in slots 1..4
  wire [7:0] mc0 = mcc[31:24];
  wire [7:0] mc1 = mcc[23:16];
  wire [7:0] mc2 = mcc[15:8];
  wire [7:0] mc3 = mcc[7:0];

  // datapath: slot 0 (already mixed) -> AddRoundKey -> SubBytes -> slot 15
  // The key byte entering slot 0 is already chained (w[i] = w[i-4] ^ w[i-1] applied one cycle
  // early, from slots 1 and 13), so slot 0 holds the round-key byte kb itself.
  wire       chain_nx;                        // next cycle is a pass cycle that chains
  wire [7:0] k0_in = k[1] ^ (chain_nx ? k[13] : 8'h00);
  wire [7:0] kb   = k[0];
  wire [7:0] y    = s[0] ^ kb;
  wire [7:0] sin  = pass ? y : (k[13] & {8{~iso}});
  wire [7:0] sout;
  // FPGA_STYLE = 1 feeds the S-box from sin_r, the same value registered one cycle ahead
  wire [7:0] sin_r;
  aes_sbox #(.FAULT(FAULT_SBOX)) u_sbox (.x((FPGA_STYLE != 0) ? sin_r : sin), .y(sout));

  // Rcon for the key word computed in round rnd_q (0..9): 01,02,..,80,1b,36
  wire [7:0] rcon = rnd_q[3] ? {2'b00, rnd_q[0], 1'b1, ~rnd_q[0], rnd_q[0], 1'b1, ~rnd_q[0]}
                             : (8'h01 << rnd_q[2:0]);
  // (the S-box output enters last: it is the late signal of every next-state term it feeds)
  wire [7:0] k3_pre   = k[0] ^ ((cnt_q[1:0] == 2'd0) ? rcon : 8'h00);
  wire [7:0] k3_key   = k3_pre ^ sout;

  // next state / key
  // SERIAL: the idle key register shifts in key_in at slot 15 (a rotation otherwise)
  wire [7:0] k15_in = (SERIAL != 0) ? (({8{busy_q}} & kb) | ({8{~busy_q}} & key_in)) : kb;
  wire [127:0] ky_pass  = {k0_in, key_q[111:0], k15_in};

  // Register next-state logic is written as AND-OR with one-hot selects that
  // are all 0 while rst_n is low: the synchronous clear then costs nothing
  // per flip-flop, and a "hold" is just one more AND-OR term.
  // A load happens only while idle, and every busy-only select (shift, MixColumns, ShiftRows,
  // S-box writes, word rotation) implies busy, so only the idle terms (hold, key byte rotation)
  // need ~load: the wide selects then do not wait for in_valid / in_ready.
  // SERIAL: a start (in_valid) loads neither state nor key: the state holds (or steps) and the
  // key keeps shifting in key_in, so the start cycle may carry the last key octet and state step
  wire run      = rst_n & ((SERIAL != 0) | ~load);
  wire sel_ld   = rst_n &  load & (SERIAL == 0);
  wire sel_ab   = rst_n & stp;           // slot 15 <= (st_keep ? s0 : 0) ^ st_in
  wire sel_ps   = rst_n & shift;         // shift (slots 4..14)
  wire sel_psn  = rst_n & shift & ~mc_en; // shift in slots 0..3 when no MC
  wire sel_psb  = rst_n & pass & ~last_rnd & ~p15; // slot 15 <= SubBytes(s0 ^ kb)
  wire sel_psf  = rst_n & pass &  last_rnd; // slot 15 <= s0 ^ kb (final AddRoundKey)
  wire sel_rt   = rst_n & kq3;           // slot 15 <= slot 0 (rotation)
  wire sel_mc   = rst_n & mc_en;         // MixColumns write-back to slots 0..3
  wire sel_sr   = rst_n & sr_en;         // ShiftRows (into the rotated state)
  wire sel_hd   = run & ~shift & ~sr_en; // hold (key cycles 0..2, idle, output wait)
  wire sel_hsr  = run & ~shift;          // hold, or ShiftRows of a slot that keeps its byte
  wire sel_kp   = run & ~kcyc;           // key: byte rotation (pass / idle)
  wire sel_kk   = rst_n & kcyc;          // key: word-internal rotation

  wire [7:0]   ab_v = ({8{st_keep}} & s[0]) ^ st_in;
  wire [127:0] st_next;
  wire [127:0] ky_next;
  wire   [7:0] mcv [0:3];
  assign mcv[0] = mc0;
  assign mcv[1] = mc1;
  assign mcv[2] = mc2;
  assign mcv[3] = mc3;
  generate
    for (gi = 0; gi < 16; gi = gi + 1) begin : g_next
      wire [7:0] nb_in  = in_block[127-8*gi -: 8];
      wire [7:0] nk_in  = in_key[127-8*gi -: 8];
      wire [7:0] nk_p   = ky_pass[127-8*gi -: 8];
      wire [7:0] ld_t   = {8{sel_ld}} & nb_in;
      // ShiftRows source of slot gi: before, slot j holds byte j-1 (mod 16) (byte 15 is in the
      // datapath); after, slot j holds ShiftRows byte j-1.  Slot 4 takes byte 15 from the S-box.
      localparam integer SRI = (1 + ((gi + 15) % 16 + 4*(((gi + 15) % 16) % 4))) % 16;
      if (gi == 1) begin : g_s1
        assign st_next[119:112] = ld_t | ({8{sel_psn}} & s[2]) | ({8{sel_mc}} & mcv[1]) |
                                  ({8{sel_hsr}} & s[1]);   // ShiftRows keeps row 0
      end else if (gi < 4) begin : g_mc
        assign st_next[127-8*gi -: 8] = ld_t | ({8{sel_psn}} & s[gi+1]) | ({8{sel_mc}} & mcv[gi]) |
                                        ({8{sel_hd}} & s[gi]) | ({8{sel_sr}} & s[SRI]);
      end else if (gi == 15) begin : g_s15
        // datapath input: SubBytes result, or the bare AddRoundKey in round 10
        assign st_next[7:0] = ld_t | ({8{sel_psf}} & y) | ({8{sel_rt}} & s[0]) | ({8{sel_ab}} & ab_v) |
                              ({8{sel_hd}} & s[gi]) | ({8{sel_sr}} & s[SRI]) | ({8{sel_psb}} & sout);
      end else if (gi == 4) begin : g_s4
        assign st_next[95:88] = ld_t | ({8{sel_ps}} & s[5]) | ({8{sel_hd}} & s[4]) | ({8{sel_sr}} & sout);
      end else if (gi % 4 == 1) begin : g_row0
        assign st_next[127-8*gi -: 8] = ld_t | ({8{sel_ps}} & s[gi+1]) | ({8{sel_hsr}} & s[gi]);
      end else begin : g_rowx
        assign st_next[127-8*gi -: 8] = ld_t | ({8{sel_ps}} & s[gi+1]) | ({8{sel_hd}} & s[gi]) |
                                        ({8{sel_sr}} & s[SRI]);
      end
      if (gi % 4 == 3) begin : g_kw
        assign ky_next[127-8*gi -: 8] = ({8{sel_ld}} & nk_in) | ({8{sel_kp}} & nk_p) |
                                        ({8{sel_kk}} & ((gi == 3) ? k3_key : k[gi-3]));
      end else begin : g_kb
        // byte rotation and word rotation agree on these slots
        assign ky_next[127-8*gi -: 8] = ({8{sel_ld}} & nk_in) | ({8{run}} & nk_p);
      end
    end
  endgenerate

  generate
    if (FPGA_STYLE == 0) begin : g_asic
      assign sin_r = 8'h00;
      always @(posedge clk) begin
        state_q <= st_next;
        key_q   <= ky_next;
      end
    end else begin : g_fpga
      // Same next-state function written with reset / enable priority so
      // that FPGA flops absorb the clear and the hold (SB_DFFESR on iCE40).
      // The testbench checks it against the AND-OR form cycle by cycle.
      wire [127:0] st_pv, st_srv, ky_kv;
      wire         unused_asic_next = ^{st_next, ky_next};  // AND-OR form unused here
      for (gi = 0; gi < 16; gi = gi + 1) begin : g_v
        if (gi == 4) begin : g_sr4
          assign st_srv[95:88] = 8'h00;                 // slot 4 takes sout: see st_d4 below
        end else begin : g_srx
          assign st_srv[127-8*gi -: 8] = s[(1 + ((gi + 15) % 16 + 4*(((gi + 15) % 16) % 4))) % 16];
        end
        if (gi < 4) begin : g_mc
          assign st_pv[127-8*gi -: 8] = mc_en ? mcv[gi] : s[gi+1];
        end else if (gi < 15) begin : g_sh
          assign st_pv[127-8*gi -: 8] = s[gi+1];
        end else begin : g_in
          assign st_pv[7:0] = 8'h00;                    // slot 15: see st_d15 below
        end
        if (gi % 4 != 3) begin : g_kr
          assign ky_kv[127-8*gi -: 8] = k[gi+1];
        end else if (gi == 3) begin : g_k3
          assign ky_kv[127-8*gi -: 8] = 8'h00;          // key slot 3: see ky_d3 below
        end else begin : g_kw
          assign ky_kv[127-8*gi -: 8] = k[gi-3];
        end
      end
      // The three S-box destinations (state slots 15 and 4, key slot 3) take the S-box output
      // in their last gate, everything else being selected beforehand: the S-box is the deep
      // path. (shift and sr_en never meet: the late st_step only enables, it selects nothing.)
      wire       use_sb = pass & ~last_rnd & ~p15;     // slot 15 <= SubBytes
      wire [7:0] alt15  = sr_en ? st_srv[7:0] : stp ? ab_v : kcyc ? s[0] : y;
      wire [7:0] st_d15 = use_sb ? sout : alt15;
      wire [7:0] st_d4  = sr_en ? sout : s[5];
      wire [7:0] ky_d3  = kcyc ? (k3_pre ^ sout) : ky_pass[103:96];
      wire [127:0] st_d = sr_en ? st_srv : st_pv;
      wire [127:0] ky_d = kcyc ? ky_kv : ky_pass;
      wire         unused_fpga_d = ^{st_d[95:88], st_d[7:0], ky_d[103:96]};  // see st_d4 / 15, ky_d3
      // S-box input of the next cycle, from the next values of pass, state slot 0 and key slots
      // 0 and 13 (none of which depends on the S-box): pass ? s0 ^ k0 : k13, one LUT level less
      // on the S-box path. Key-dependent like key_q, and cleared with it.
      wire [7:0] s0_nx  = (load && SERIAL == 0) ? in_block[127:120] :
                          (shift | sr_en) ? st_d[127:120] : s[0];
      wire [7:0] k0_nx  = (load && SERIAL == 0) ? in_key[127:120] : ky_d[127:120];
      wire [7:0] k13_nx = (load && SERIAL == 0) ? in_key[23:16] : ky_d[23:16];
      reg  [7:0] sin_q;
      always @(posedge clk)
        sin_q <= !rst_n ? 8'h00 : (busy_d & ~cnt_d[4]) ? (s0_nx ^ k0_nx) :
                 ((SERIAL != 0) & ~busy_d) ? 8'h00 : k13_nx;
      assign sin_r = sin_q;
      always @(posedge clk) begin
        if (!rst_n) begin
          state_q <= 128'd0;
          key_q   <= 128'd0;
        end else begin
          if (load && SERIAL == 0) state_q <= in_block;
          else if (shift | sr_en) state_q <= {st_d[127:96], st_d4, st_d[87:8], st_d15};
          if (load && SERIAL == 0) key_q <= in_key;
          else key_q <= {ky_d[127:104], ky_d3, ky_d[95:0]};
        end
      end
    end
  endgenerate

  // Controller next state. Continuous assigns, not an always @(*) block: such a block runs only
  // when one of its inputs changes, and a testbench that holds rst_n low from time 0 with constant
  // inputs may give it no event at all (SystemVerilog semantics: a variable initializer is not an
  // event), so busy_d / outv_d, and with them in_ready and out_valid, stayed X for ever. An assign
  // is evaluated at time 0 in every simulator, and 0 & X = 0 makes the reset values defined.
  // Priority as before: reset, load, end of block (after round 10), end of round, count.
  wire blk_end = busy_q & last_rnd & pass & (cnt_q[3:0] == 4'd15);
  wire rnd_end = busy_q & cnt_q[4] & cnt_q[1] & cnt_q[0];   // cnt_q == 19
  assign busy_d = !rst_n ? 1'b0 : load ? 1'b1 : blk_end ? 1'b0 : busy_q;
  assign outv_d = !rst_n ? 1'b0 : load ? 1'b0 : blk_end ? 1'b1 : out_ready ? 1'b0 : outv_q;
  assign rnd_d  = (!rst_n | load | blk_end) ? 4'd0 : rnd_end ? rnd_q + 4'd1 : rnd_q;
  assign cnt_d  = (!rst_n | load | blk_end | rnd_end) ? 5'd0 : busy_q ? cnt_q + 5'd1 : cnt_q;
  assign chain_nx = pass & ~first_rnd & ((cnt_q[3:2] != 2'd0) | cnt3) & ~(&cnt_q[3:0]);  // next: 4..15
  always @(posedge clk) begin
    busy_q  <= busy_d;
    outv_q  <= outv_d;
    rnd_q   <= rnd_d;
    cnt_q   <= cnt_d;
    pass_q  <= busy_d & ~cnt_d[4];
  end
endmodule
