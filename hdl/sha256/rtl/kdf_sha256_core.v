// kdf_sha256_core: bit-serial SHA-256 / HMAC-SHA-256 (FIPS 180-4, RFC 2104) for the TS 33.220 KDF
// (output = HMAC-SHA-256(key, S), S = FC || P0 || L0 || P1 || L1 ...), designed for area first.
// Every secret (key blocks, the inner hash, the digest) stays in the unit's own registers, except
// the chaining value, which lives in a 32-octet store outside the core (h_out / h_in, below):
// kdf_sha256 gives it a ring of its own, tag_crypto_engine lends it the AES core's state and key
// registers, idle during HASH / DERIVE. Nothing but the digest port (out_*), the source request
// index and h_out carry data out.
//
// Interface
//   * Start: start_valid / start_ready with start_hmac (1: HMAC-SHA-256(key, message), 0: plain
//     SHA-256(message)), start_klen (key length in octets, 0..64; keys longer than one block must
//     be hashed by the caller, RFC 2104) and start_len (message length in octets, 0..2**AW).
//     The three are not registered: the caller holds them from the start handshake until busy
//     is low again (as a caller holds a block for secworks/sha256; the engine's come from its
//     command registers and build parameters).
//   * Source octets (src_req / src_ack / src_data, one octet per transfer, held until src_ack):
//     src_key = 1: key octet src_idx[5:0] (0..klen-1); src_key = 0: message octet src_idx
//     (0..len-1). Each octet is requested once per block that needs it, key octets twice per HMAC
//     (ipad and opad blocks); the order inside a 4-octet word is 3, 2, 1, 0 (least significant
//     first), words in order.
//   * Digest: out_valid / out_ready / out_data / out_idx: the 32 octets of the digest, octet
//     out_idx (0 = most significant octet of H0, FIPS byte order), in the order words 7..0, in
//     each word octets 3..0. out_data is 0 whenever out_valid is low.
//   * busy: high from the start handshake until the last digest octet has been taken and the
//     unit has scrubbed itself (start_ready = !busy outside reset / zeroize).
//   * Chaining-value store (h_out / h_in): the caller must return every octet h_out exactly 32
//     cycles later on h_in (a 32-octet delay line: a circular shift register of octets that
//     moves in every cycle) from the start handshake until busy is low again, and after reset /
//     zeroize for as long as busy is high; otherwise the store is the caller's. Bit k of the
//     octet is bit ph_q of H_k (bit-sliced: the 8 words of H as one octet ring), so the store
//     holds the chaining value (secret); h_out is 0 whenever the unit is idle, scrubbing or
//     waiting to start, so the store is all zero after the unit's 32-cycle scrub.
//   * zeroize (input, any state) and reset: the operation is abandoned (a pending source request
//     and digest octet are withdrawn), the control registers, holders and output register are
//     cleared at that edge and the 768 bits of the rings (and the store's 256) in the 32 cycles that follow (busy
//     high, start_ready low). Every operation also ends with this 32-cycle scrub (which also
//     clears the round carries c_q and the octet holders; h_out writes zeros meanwhile, which
//     clears the chaining-value store). Secret-holding registers (v_q, w_q, cur_q, nxt_q,
//     oreg_q, c_q) are marked verilator public_flat_rd.
//
// Datapath (every register below is an enable-free 32-bit ring that rotates one bit per cycle,
// with only a small multiplexer at its input; ph_q is the free-running bit phase: bit p of every
// word leaves its ring (bit 0 of the ring) in the cycle with ph_q == p):
//   * v_q: the working variables a..h (word k = a + k), 8 x 32 bits;
//   * the chaining value H_0..H_7 (8 x 32 bits) in the caller's store: octet h_in in the cycle
//     with ph_q == p is bit p of H_0..H_7 (bit k of H_k), the octet written on h_out returns
//     32 cycles later, so the 8 bit lanes of the store behave as 8 32-bit rings like the others;
//   * w_q: the message-schedule window W_{t-16}..W_{t-1} (slot 0 = oldest), 16 x 32 bits.
//   A round takes one 32-cycle slot: all words move on one position bit by bit (b <- a, ...,
//   a <- T1 + T2, e <- d + T1; window slot k <- slot k+1, slot 15 <- W_t), least significant
//   bit first through 10 serial adders whose carries are the only other datapath flops. The
//   rotations of the Sigma / sigma functions are wires: bit (i + r) mod 32 of a word that is
//   moving on is still in its ring at position r for i < 32 - r and already in the next ring at
//   the same position r after that, so each rotation is one 2:1 multiplexer on the phase.
//   Feed-forward H + v, the IV, and moving the inner hash take 8 word slots each (the whole
//   chain a..h rotates one word per slot through one serial adder).
//   * Block words W_0..W_15 come octet by octet from the source (two 8-bit holders: one being
//     consumed bit by bit, the next fetched meanwhile); the padding and the length field are
//     made here. If an octet is not there when needed, the whole datapath waits 32 cycles
//     (every ring returns to the same position, the carries hold) and tries again.
//   * HMAC: ipad block (IV feed-forward from the constant table, so H is free), message blocks,
//     IV again while H keeps the inner hash, opad block (its feed-forward moves the inner hash
//     word by word into window slots 8..15, H0 first), a copy of the chaining value into H, and
//     the final block, whose W_0..W_7 are taken from window slot 8 (as the window moves on, slot
//     8 holds W_t in round t < 8).
// Cycles: a compression is 64 + 8 slots (2304 cycles) plus one 32-cycle wait for its first
// octet (fetched in its first slot); an HMAC of a one-block message is 312 slots (9984 cycles)
// + 4 such waits + the digest (32 octets: 8 rotations + 7 word slots when out_ready stays high)
// + the 32-cycle scrub + up to 32 cycles of phase alignment at the start: 10,656 cycles as
// measured by kdf_sha256_tb, 32,000 for the three calls of a DERIVE (+derive).
// FAULT (test only, default 0): 1 = Sigma1's rotation by 25 taps 24 instead (a wrong rotation
// amount, caught by the testbench and the co-simulation); never set it in a real build.
// FPGA_STYLE (default 0): 1 keeps the 24 rings in block RAMs (iCE40: 14 EBRs instead of 768
// flip-flops and their logic cells), same function, cycle for cycle. Ring position r in the
// cycle with phase p is word (p + r) mod 32 of a 32-word RAM whose word p is written in that
// cycle with the ring inputs: the rings' shift becomes the RAMs' rotating address. A main copy
// (mm, 24 lanes) gives every ring's bit 0, one copy per tap offset (12, with the lanes it taps)
// the rotation taps; every read is registered, addressed one cycle ahead (next phase + r, 5
// bits, so offsets wrap). The round constants K_t come from a registered 64 x 32 ROM
// (sha256_k_rom, 2 EBRs) addressed by the next round (t_n). The scrub writes zeros into every RAM word
// and the last reads of the scrub are of words already written, so every RAM word and read
// register is zero after the same 32 cycles (kdf_sha256_fpga_tb checks each word;
// tag_crypto_engine_ice40_tb runs HASH records on it through the shim; scripts/formal
// kdf-style, FORMAL_DEEP=1, proves the two codings equal). v_q / w_q are then left undriven
// and unused.
module kdf_sha256_core #(
  parameter integer AW    = 12,   // message index bits (messages of up to 2**AW octets)
  parameter integer FAULT = 0,
  parameter integer FPGA_STYLE = 0
) (
  input  wire          clk,
  input  wire          rst_n,
  input  wire          zeroize,
  input  wire          start_valid,
  output wire          start_ready,
  input  wire          start_hmac,
  input  wire [6:0]    start_klen,
  input  wire [AW:0]   start_len,
  output wire          src_req,
  output wire          src_key,
  output wire [AW-1:0] src_idx,
  input  wire          src_ack,
  input  wire [7:0]    src_data,
  output wire          out_valid,
  input  wire          out_ready,
  output wire [7:0]    out_data,
  output wire [4:0]    out_idx,
  output wire          busy,
  output wire [7:0]    h_out,
  input  wire [7:0]    h_in
);
  localparam integer PW = AW + 1;          // message positions / lengths
  localparam integer BW = PW - 6;          // block counter (AW >= 6)

  // control states
  localparam [2:0] S_IDLE = 3'd0, S_WAIT = 3'd1, S_FF = 3'd2, S_RND = 3'd3, S_OUT = 3'd4,
                   S_OROT = 3'd5, S_SCRUB = 3'd6;
  // stages: which block (S_RND) or which word pass (S_FF)
  localparam [2:0] G_INIT = 3'd0, G_KEYI = 3'd1, G_MSG = 3'd2, G_INIT2 = 3'd3, G_KEYO = 3'd4,
                   G_COPY = 3'd5, G_INNER = 3'd6;

  // ---------------------------------------------------------------- registers
  reg [4:0]    ph_q;
  reg [2:0]    state_q, stage_q;
  reg [5:0]    t_q;          // round
  reg [2:0]    k_q;          // word slot of a pass / digest word
  reg [BW-1:0] bcnt_q;       // message block
  reg [6:0]    qf_q;         // block octet in nxt_q / being fetched (sequence 0..63)
  reg [7:0]    cur_q /* verilator public_flat_rd */;   // key / message octets (secret)
  reg [7:0]    nxt_q /* verilator public_flat_rd */;
  reg          nv_q;         // nxt_q holds octet qf_q
  reg          rq_q;         // source request (registered)
  reg          paused_q;
  reg [2:0]    m_q;          // digest octet of the word (captures done)
  reg          cap_q, ov_q;
  reg [7:0]    oreg_q /* verilator public_flat_rd */;  // digest octet (secret)
  reg [4:0]    oidx_q;
  reg [10:0]   c_q /* verilator public_flat_rd */;     // serial-adder carries (data-dependent)
  // the rings (FPGA_STYLE 0; FPGA_STYLE 1 keeps them in block RAMs, g_rram, and leaves these
  // two undriven and unused)
  /* verilator lint_off UNDRIVEN */
  /* verilator lint_off UNUSEDSIGNAL */
  reg [255:0]  v_q  /* verilator public_flat_rd */;
  reg [511:0]  w_q  /* verilator public_flat_rd */;
  /* verilator lint_on UNUSEDSIGNAL */
  /* verilator lint_on UNDRIVEN */
  wire [7:0]   vb0;          // bit 0 of each ring (a..h)
  wire [15:0]  wb0;          // bit 0 of each window ring
  wire [7:0]   vin;
  wire [15:0]  win;

  wire clr = !rst_n || zeroize;
  wire p0  = (ph_q == 5'd0);
  wire p31 = (ph_q == 5'd31);
  // the operation's parameters (held by the caller while busy); the final block of an HMAC
  // hashes the 32-octet inner hash
  wire          hmac = start_hmac;
  wire [6:0]    klen = start_klen;

  // ---------------------------------------------------------------- constants
  wire k_bit, iv_bit;        // K_t and H(0) bits of this cycle (sha256_k below, after t_n)

  // ---------------------------------------------------------------- ring taps
  // tap: bit (i + r) mod 32 of the word in ring x while it moves into ring y (i = ph_q)
  `define KDF_TAP(x, y, r) (({1'b0, ph_q} < (6'd32 - {1'b0, r})) ? x[r] : y[r])
  // the words the rotations tap (only the tapped bits are read)
  localparam [4:0] R25 = (FAULT == 1) ? 5'd24 : 5'd25;
  /* verilator lint_off UNUSEDSIGNAL */
  wire [31:0] wa, wb, we, wf, w0, w1, w13, w14;
  /* verilator lint_on UNUSEDSIGNAL */
  wire        wc = vb0[2], wd = vb0[3], wg = vb0[6], wh = vb0[7];  // ring outputs
  wire        w8 = wb0[8], w9 = wb0[9];
  generate
    if (FPGA_STYLE == 0) begin : g_rreg
      assign wa = v_q[31:0]; assign wb = v_q[63:32]; assign we = v_q[159:128]; assign wf = v_q[191:160];
      assign w0 = w_q[31:0]; assign w1 = w_q[63:32]; assign w13 = w_q[447:416]; assign w14 = w_q[479:448];
      genvar gb;
      for (gb = 0; gb < 8; gb = gb + 1) begin : g_vb assign vb0[gb] = v_q[32*gb]; end
      for (gb = 0; gb < 16; gb = gb + 1) begin : g_wb assign wb0[gb] = w_q[32*gb]; end
      always @(posedge clk) begin
        v_q  <= {vin[7], v_q[255:225], vin[6], v_q[223:193], vin[5], v_q[191:161], vin[4], v_q[159:129], vin[3], v_q[127:97], vin[2], v_q[95:65], vin[1], v_q[63:33], vin[0], v_q[31:1]};
        w_q  <= {win[15], w_q[511:481], win[14], w_q[479:449], win[13], w_q[447:417], win[12], w_q[415:385], win[11], w_q[383:353], win[10], w_q[351:321], win[9], w_q[319:289], win[8], w_q[287:257], win[7], w_q[255:225], win[6], w_q[223:193], win[5], w_q[191:161], win[4], w_q[159:129], win[3], w_q[127:97], win[2], w_q[95:65], win[1], w_q[63:33], win[0], w_q[31:1]};
      end
    end else begin : g_rram
      wire [4:0] phn = clr ? 5'd0 : ph_q + 5'd1;
      (* ram_style = "block" *) reg [23:0] mm [0:31];
      reg [23:0] m0_q;
      always @(posedge clk) begin mm[ph_q] <= {win, vin}; m0_q <= mm[phn]; end
      assign vb0 = m0_q[7:0]; assign wb0 = m0_q[23:8];
      // one copy per rotation tap: tap j copies lane LX (and LX + 1 when it is 2 wide) of
      // {win, vin} and reads word phn + offset, so its read register holds that lane's bit
      // (i + offset) mod 32 (i = ph_q) of the ring: a, b (Sigma0), e, f (Sigma1), w0, w1
      // (sigma0), w13, w14 (sigma1); g_rram.g_tap[j].g_m.m is its RAM, .q its read register
      //   j        0   1   2   3   4   5    6   7   8   9   10  11
      //   offset   2   13  22  6   11  R25  7   18  3   17  19  10
      //   lanes    a,b a,b a,b e,f e,f e,f  w0,w1   w1  w13,w14 w14
      localparam integer NT = 12;
      localparam [5*NT-1:0] T_OFF = {5'd10, 5'd19, 5'd17, 5'd3, 5'd18, 5'd7, R25, 5'd11, 5'd6, 5'd22, 5'd13, 5'd2};
      localparam [5*NT-1:0] T_LX  = {5'd22, 5'd21, 5'd21, 5'd9, 5'd8, 5'd8, 5'd4, 5'd4, 5'd4, 5'd0, 5'd0, 5'd0};
      localparam [NT-1:0]   T_W2  = 12'b0110_1111_1111;  // 2 lanes wide (taps 8 and 11: 1)
      // (only the tapped lanes of din are copied; bits 17 and 23 of tq are the 1-lane taps' 0)
      /* verilator lint_off UNUSEDSIGNAL */
      wire [23:0]     din = {win, vin};
      wire [2*NT-1:0] tq;      // the read registers, 2 bits per tap
      /* verilator lint_on UNUSEDSIGNAL */
      genvar gt;
      for (gt = 0; gt < NT; gt = gt + 1) begin : g_tap
        localparam [4:0] LX = T_LX[5*gt +: 5];
        wire [4:0] ra = phn + T_OFF[5*gt +: 5];  // (5 bits: the offset wraps around the 32 words)
        if (T_W2[gt]) begin : g_m
          (* ram_style = "block" *) reg [1:0] m [0:31];
          reg [1:0] q;
          always @(posedge clk) begin m[ph_q] <= din[LX +: 2]; q <= m[ra]; end
          assign tq[2*gt +: 2] = q;
        end else begin : g_m
          (* ram_style = "block" *) reg [0:0] m [0:31];
          reg q;
          always @(posedge clk) begin m[ph_q] <= din[LX]; q <= m[ra]; end
          assign tq[2*gt +: 2] = {1'b0, q};
        end
      end
      // the tapped bits in place (every other bit 0, never read)
      assign wa = {31'd0, m0_q[0]} | ({31'd0, tq[0]} << 2) | ({31'd0, tq[2]} << 13) | ({31'd0, tq[4]} << 22);
      assign wb = {31'd0, m0_q[1]} | ({31'd0, tq[1]} << 2) | ({31'd0, tq[3]} << 13) | ({31'd0, tq[5]} << 22);
      assign we = {31'd0, m0_q[4]} | ({31'd0, tq[6]} << 6) | ({31'd0, tq[8]} << 11) | ({31'd0, tq[10]} << R25);
      assign wf = {31'd0, m0_q[5]} | ({31'd0, tq[7]} << 6) | ({31'd0, tq[9]} << 11) | ({31'd0, tq[11]} << R25);
      assign w0 = {31'd0, m0_q[8]} | ({31'd0, tq[12]} << 7) | ({31'd0, tq[14]} << 18);
      assign w1 = {31'd0, m0_q[9]} | ({31'd0, tq[16]} << 3) | ({31'd0, tq[13]} << 7) | ({31'd0, tq[15]} << 18);
      assign w13 = {31'd0, m0_q[21]} | ({31'd0, tq[18]} << 17) | ({31'd0, tq[20]} << 19);
      assign w14 = {31'd0, m0_q[22]} | ({31'd0, tq[22]} << 10) | ({31'd0, tq[19]} << 17) | ({31'd0, tq[21]} << 19);
    end
  endgenerate
  wire big_s1 = `KDF_TAP(we, wf, 5'd6) ^ `KDF_TAP(we, wf, 5'd11) ^ `KDF_TAP(we, wf, R25);
  wire big_s0 = `KDF_TAP(wa, wb, 5'd2) ^ `KDF_TAP(wa, wb, 5'd13) ^ `KDF_TAP(wa, wb, 5'd22);
  wire ch     = (we[0] & wf[0]) | (~we[0] & wg);
  wire maj    = (wa[0] & wb[0]) | (wa[0] & wc) | (wb[0] & wc);
  wire sm_s0  = `KDF_TAP(w1, w0, 5'd7) ^ `KDF_TAP(w1, w0, 5'd18) ^ ((ph_q < 5'd29) ? w1[3] : 1'b0);
  wire sm_s1  = `KDF_TAP(w14, w13, 5'd17) ^ `KDF_TAP(w14, w13, 5'd19) ^ ((ph_q < 5'd22) ? w14[10] : 1'b0);

  // ---------------------------------------------------------------- serial adders
  wire [10:0] ci = p0 ? 11'd0 : c_q;
  wire [10:0] co;
  function [1:0] fa;  // {carry, sum}
    input x, y, c;
    fa = {(x & y) | (x & c) | (y & c), x ^ y ^ c};
  endfunction
  wire x1, x2, x3, t1, t2, na, ne, y1, y2, wcalc, sum;
  assign {co[0], x1}    = fa(wh, big_s1, ci[0]);
  assign {co[1], x2}    = fa(x1, ch, ci[1]);
  assign {co[2], x3}    = fa(x2, k_bit, ci[2]);
  wire   wt;
  assign {co[3], t1}    = fa(x3, wt, ci[3]);
  assign {co[4], t2}    = fa(big_s0, maj, ci[4]);
  assign {co[5], na}    = fa(t1, t2, ci[5]);
  assign {co[6], ne}    = fa(wd, t1, ci[6]);
  assign {co[7], y1}    = fa(sm_s1, w9, ci[7]);
  assign {co[8], y2}    = fa(y1, sm_s0, ci[8]);
  assign {co[9], wcalc} = fa(y2, w0[0], ci[9]);
  // word passes: sum = (vgate ? h : 0) + (H_7 | IV word 7-k | 0)
  reg  vgate, add_h, add_iv;
  assign {co[10], sum}  = fa(vgate & wh, (add_h & h_in[7]) | (add_iv & iv_bit), ci[10]);

  // ---------------------------------------------------------------- message octets
  // block octet sequence q = 0..63 -> octet j = q ^ 3 (least significant octet of a word first)
  wire [5:0]    qj    = {qf_q[5:2], ~qf_q[1:0]};
  wire [PW-1:0] pos   = {bcnt_q, qj};
  wire          keyblk = (stage_q == G_KEYI) || (stage_q == G_KEYO);
  wire [7:0]    kpad  = (stage_q == G_KEYO) ? 8'h5c : 8'h36;
  wire [PW-1:0] mlen  = (stage_q == G_INNER) ? {{(PW-6){1'b0}}, 6'd32} : start_len;
  wire [PW-1:0] pend  = {bcnt_q, 6'd55};
  wire          lastb = (mlen <= pend);                   // the length field fits this block
  wire [PW-1:0] lhash = mlen + (hmac ? {{(PW-7){1'b0}}, 7'd64} : {PW{1'b0}});
  wire [63:0]   l64   = {{(61-PW){1'b0}}, lhash, 3'b000};  // message bits hashed
  reg  [7:0]    gen;     // the octet when it does not come from the source
  reg           from_src;
  always @(*) begin
    from_src = 1'b0;
    gen = 8'h00;
    if (keyblk) begin
      from_src = ({1'b0, qj} < klen);
      gen = kpad;
    end else if (pos < mlen) begin
      from_src = (stage_q != G_INNER);                   // inner hash: window slot 8
    end else if (pos == mlen) begin
      gen = 8'h80;
    end else if (lastb && (qj[5:3] == 3'd7)) begin
      case (qj[2:0])
        3'd0: gen = l64[63:56]; 3'd1: gen = l64[55:48]; 3'd2: gen = l64[47:40];
        3'd3: gen = l64[39:32]; 3'd4: gen = l64[31:24]; 3'd5: gen = l64[23:16];
        3'd6: gen = l64[15:8];  default: gen = l64[7:0];
      endcase
    end
  end
  // The source request is registered (rq_q): it goes out the cycle after the octet is known to
  // be needed, so the path through the caller back into the holders (src_ack) is cut in two. A
  // request is held until its ack and dropped in the cycle of the ack (the holder is full in the
  // next). Its index and kind come from registers that do not change while it is out (qf_q moves
  // only when the holder is full, bcnt_q and stage_q only between blocks), so the caller's
  // address decode starts from flip-flops.
  wire fetching = (state_q == S_RND) && !t_q[5] && !t_q[4] && !qf_q[6] && !nv_q;
  wire   acked   = rq_q && src_ack;
  wire   want    = fetching && from_src && !acked;
  assign src_req = rq_q;
  assign src_key = rq_q && keyblk;
  assign src_idx = !rq_q ? {AW{1'b0}} : keyblk ? {{(AW-6){1'b0}}, qj} : pos[AW-1:0];
  wire   fill    = fetching && (!from_src || acked);
  wire [7:0] fill_oct = from_src ? (src_data ^ (keyblk ? kpad : 8'h00)) : gen;

  // ---------------------------------------------------------------- control
  wire early  = !t_q[5] && !t_q[4];                      // t < 16: W_t from the block
  wire from8  = (stage_q == G_INNER) && (t_q[5:3] == 3'd0);
  wire ostart = (ph_q[2:0] == 3'd0);
  // a round runs unless it waits for its octet (a 32-cycle wait, resumed at the same phase)
  wire go     = !early || (nv_q && (ph_q[4:3] == qf_q[1:0]));
  wire run    = (state_q == S_RND) && (ostart ? go : !paused_q);
  // bit 0 of an octet is taken from nxt_q in the cycle that moves it into cur_q
  assign wt   = early ? (from8 ? w8 : (ostart ? nxt_q[0] : cur_q[ph_q[2:0]])) : wcalc;
  wire take   = run && early && ostart;                  // cur <- nxt
  // digest: capture octet m of word h in phases 8m..8m+7 (m = 0: least significant octet)
  wire cbeg   = (state_q == S_OUT) && ostart && (ph_q[4:3] == m_q[1:0]) && !m_q[2] &&
                (!ov_q || out_ready);
  wire capt   = ostart ? cbeg : cap_q;

  // word passes (S_FF) by stage, and the ring modes
  localparam [1:0] H_SELF = 2'd0, H_WRITE = 2'd1, H_REV = 2'd2;
  reg [1:0] hmode;
  reg       vrot, wadv_h;
  always @(*) begin
    vgate = 1'b1; add_h = 1'b0; add_iv = 1'b0; hmode = H_SELF; vrot = 1'b0; wadv_h = 1'b0;
    if (state_q == S_FF) begin
      vrot = 1'b1;
      case (stage_q)
        G_INIT:  begin vgate = 1'b0; add_iv = 1'b1; hmode = H_WRITE; end
        G_INIT2: begin vgate = 1'b0; add_iv = 1'b1; end
        G_KEYO:  begin add_iv = 1'b1; hmode = H_REV; wadv_h = 1'b1; end
        G_COPY:  hmode = H_WRITE;
        default: begin add_h = 1'b1; hmode = H_WRITE; end  // KEYI, MSG, INNER
      endcase
    end
    if (state_q == S_OROT) vrot = 1'b1;                  // digest: next word to h
  end
  wire zero = (state_q == S_IDLE) || (state_q == S_SCRUB) || (state_q == S_WAIT) || clr;

  // ring inputs
  wire [7:0]  hin;
  wire        hwr = (hmode == H_WRITE), hrev = (hmode == H_REV);
  wire        wadv = run || wadv_h;
  genvar gi;
  generate
    for (gi = 0; gi < 8; gi = gi + 1) begin : g_vh
      // a..h: a <- T1 + T2 / sum, e <- d + T1 in a round, else the word before; or itself
      wire vprev = (gi == 0) ? sum : vb0[(gi == 0) ? 0 : gi - 1];
      wire vrnd  = (gi == 0) ? na : (gi == 4) ? ne : vprev;
      assign vin[gi] = !zero && (run ? vrnd : vrot ? vprev : vb0[gi]);
      // H (lane gi of the store): H0 <- sum, H_k <- H_k-1 (write); H_k <- H_k+1, H7 <- 0
      // (reverse); or itself
      wire hprev = (gi == 0) ? sum : h_in[(gi == 0) ? 0 : gi - 1];
      wire hnext = (gi == 7) ? 1'b0 : h_in[(gi == 7) ? 7 : gi + 1];
      assign hin[gi] = !zero && (hwr ? hprev : hrev ? hnext : h_in[gi]);
    end
    for (gi = 0; gi < 16; gi = gi + 1) begin : g_w
      // window: slot k <- slot k+1, slot 15 <- W_t (round) or H0 (inner hash in); or itself
      wire wnext = (gi == 15) ? (run ? wt : h_in[0]) : wb0[(gi == 15) ? 15 : gi + 1];
      assign win[gi] = !zero && (wadv ? wnext : wb0[gi]);
    end
  endgenerate
  // ---------------------------------------------------------------- sequencing
  wire   rnd_end = run && p31 && (t_q == 6'd63);
  wire   ff_end  = (state_q == S_FF) && p31 && (k_q == 3'd7);
  // the round: 0 from reset / zeroize and at the end of every word pass, + 1 after a round
  wire [5:0] t_n = (clr || ff_end) ? 6'd0 : ((state_q == S_RND) && run && p31) ? t_q + 6'd1 : t_q;
  generate
    if (FPGA_STYLE == 0) begin : g_kcomb
      sha256_k u_k (.t(t_q), .i(ph_q), .w(~k_q), .k(k_bit), .iv(iv_bit));
    end else begin : g_krom
      // K_t registered from the next round number (a 64 x 32 ROM in block RAM); H(0) as before
      wire [31:0] kw_q;
      wire        k_unused;
      sha256_k_rom u_kr (.clk(clk), .t(t_n), .kw(kw_q));
      sha256_k u_k (.t(t_q), .i(ph_q), .w(~k_q), .k(k_unused), .iv(iv_bit));
      assign k_bit = kw_q[ph_q];
      wire unused_k = k_unused;
    end
  endgenerate
  assign start_ready = (state_q == S_IDLE) && !ov_q && rst_n && !zeroize;
  wire   st_hs   = start_valid && start_ready;

  always @(posedge clk) begin
    ph_q <= clr ? 5'd0 : ph_q + 5'd1;
    t_q  <= t_n;
    if (clr) begin
      state_q <= S_SCRUB; stage_q <= G_INIT; k_q <= 3'd0;
      bcnt_q <= {BW{1'b0}}; qf_q <= 7'd0;
      cur_q <= 8'h00; nxt_q <= 8'h00; nv_q <= 1'b0; paused_q <= 1'b0; m_q <= 3'd0;
      cap_q <= 1'b0; ov_q <= 1'b0; oreg_q <= 8'h00; oidx_q <= 5'd0; c_q <= 11'd0;
      rq_q <= 1'b0;
    end else begin
      rq_q <= want;
      // carries: round adders step with the round, the pass adder in every word slot
      if (run) c_q[9:0] <= co[9:0];
      else if (zero) c_q[9:0] <= 10'd0;                 // no carry of the last round kept
      c_q[10] <= (vrot || wadv_h) ? co[10] : 1'b0;
      if (run) paused_q <= 1'b0;
      else if ((state_q == S_RND) && ostart) paused_q <= 1'b1;
      // holders
      if (fill) begin nxt_q <= fill_oct; nv_q <= 1'b1; end
      if (take) begin cur_q <= nxt_q; nv_q <= 1'b0; qf_q <= qf_q + 7'd1; end
      // digest capture
      if (!ov_q && !capt) oreg_q <= 8'h00;
      if (capt) oreg_q <= {wh, oreg_q[7:1]};
      cap_q <= capt && (ph_q[2:0] != 3'd7);
      if (cbeg) oidx_q <= {~k_q, ~m_q[1:0]};
      if (ov_q && out_ready) ov_q <= 1'b0;
      if (capt && (ph_q[2:0] == 3'd7)) begin ov_q <= 1'b1; m_q <= m_q + 3'd1; end
      case (state_q)
        S_IDLE: if (st_hs) begin
          state_q <= S_WAIT;
          bcnt_q <= {BW{1'b0}}; stage_q <= G_INIT;
        end
        S_WAIT: if (p31) begin state_q <= S_FF; k_q <= 3'd0; end
        S_FF: begin
          if (p31) k_q <= k_q + 3'd1;
          if (ff_end) begin
            state_q <= S_RND; qf_q <= 7'd0; nv_q <= 1'b0;
            case (stage_q)
              G_INIT:  stage_q <= hmac ? G_KEYI : G_MSG;
              G_KEYI:  stage_q <= G_MSG;
              G_MSG: begin
                if (!lastb) bcnt_q <= bcnt_q + 1'b1;
                else if (hmac) begin state_q <= S_FF; stage_q <= G_INIT2; end
                else begin state_q <= S_OUT; k_q <= 3'd0; m_q <= 3'd0; end
              end
              G_INIT2: stage_q <= G_KEYO;
              G_KEYO:  begin state_q <= S_FF; stage_q <= G_COPY; end
              G_COPY:  begin
                stage_q <= G_INNER; bcnt_q <= {BW{1'b0}};
              end
              default: begin state_q <= S_OUT; k_q <= 3'd0; m_q <= 3'd0; end  // G_INNER
            endcase
          end
        end
        S_RND: begin
          if (rnd_end) begin state_q <= S_FF; k_q <= 3'd0; end
        end
        S_OUT: if ((m_q[2] || (capt && (m_q[1:0] == 2'd3))) && p31) begin
          m_q <= 3'd0;
          if (k_q == 3'd7) state_q <= S_SCRUB;
          else state_q <= S_OROT;
        end
        S_OROT: if (p31) begin state_q <= S_OUT; k_q <= k_q + 3'd1; end
        S_SCRUB: if (p31) begin
          state_q <= S_IDLE; cur_q <= 8'h00; nxt_q <= 8'h00; nv_q <= 1'b0;
        end
        default: state_q <= S_IDLE;
      endcase
    end
  end

  assign out_valid = ov_q;
  assign out_data  = ov_q ? oreg_q : 8'h00;
  assign out_idx   = ov_q ? oidx_q : 5'd0;
  assign busy      = (state_q != S_IDLE) || ov_q;
  assign h_out     = hin;
  `undef KDF_TAP
endmodule
