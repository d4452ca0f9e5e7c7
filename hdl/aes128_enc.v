// aes128_enc -- compact byte-serial AES-128 encryption core.
//
// Architecture (one shared S-box, on-the-fly key schedule, no round-key store):
//   * state_q and key_q are 16-byte shift registers; byte k of FIPS-197 (bits
//     [127-8k -: 8] of in_block/in_key/out_block) sits in byte slot k.
//   * A round is 16 "pass" cycles + 4 "key" cycles.  In a pass cycle slot 0 of
//     state and key leaves the register, is combined, and re-enters at slot 15:
//         a   = (MixColumns of slots 0..3)[0]  on cycles 0,4,8,12 of rounds 1..9
//               (the other three MixColumns bytes are written back to slots 0..2)
//         kb  = k0 ^ k12 (for bytes 4..15 from round 1 on: w[i]=w[i-4]^w[i-1])
//         s15 <= SBox(a ^ kb)      (round 10: s15 <= a ^ kb, the final AddRoundKey)
//         k15 <= kb                (the round key is produced as it is used)
//     So a pass does MixColumns -> AddRoundKey -> SubBytes byte-serially.
//   * In the 4 key cycles the S-box serves the key schedule: every key word
//     rotates by one byte inside itself (4 rotations = identity), and
//     k3 <= k0 ^ SBox(k13) ^ rcon computes w[4(r+1)] = w[4r] ^ SubWord(RotWord
//     (w[4r+3])) ^ Rcon byte by byte.  The state holds, except ShiftRows in the
//     first key cycle.
//   * 10 x 20 + 16 = 216 busy cycles; the next block is accepted in the cycle
//     the result is taken, so back-to-back throughput is 217 cycles per block.
//
// Reset (rst_n low, synchronous, needs a clock edge) clears every register,
// key and state included.  FAULT_SBOX is a test-only fault-injection hook.
// FPGA_STYLE selects how the state/key register update is coded: 0 (default,
// ASIC) as AND-OR of one-hot selects that are all 0 in reset, so neither the
// clear nor the hold costs a mux per flop; 1 (FPGA) as reset/enable priority
// logic that maps onto flops with clock-enable and sync reset.  Same function.
module aes128_enc #(
  parameter FAULT_SBOX = 0,  // test only: corrupt S-box output for input 8'h53
  parameter FPGA_STYLE = 0   // 1: same logic coded with flop enables (iCE40 shim)
) (
  input  wire         clk,
  input  wire         rst_n,
  input  wire         in_valid,
  output wire         in_ready,
  input  wire [127:0] in_key,
  input  wire [127:0] in_block,
  output wire         out_valid,
  input  wire         out_ready,
  output wire [127:0] out_block
);
  reg [127:0] state_q /* verilator public_flat_rd */;
  reg [127:0] key_q   /* verilator public_flat_rd */;
  reg         busy_q;
  reg         outv_q;
  reg   [3:0] rnd_q;   // 0..10
  reg   [4:0] cnt_q;   // 0..15 pass, 16..19 key cycles

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

  assign in_ready  = ~busy_q & (~outv_q | out_ready);
  assign out_valid = outv_q;
  assign out_block = state_q;

  wire load     = in_valid & in_ready;
  wire pass     = busy_q & ~cnt_q[4];
  wire kcyc     = busy_q &  cnt_q[4];
  wire last_rnd = rnd_q[3] & rnd_q[1];          // rnd_q == 10 (never exceeds 10)
  wire first_rnd = (rnd_q == 4'd0);
  wire mc_en    = pass & (cnt_q[1:0] == 2'd0) & ~first_rnd & ~last_rnd;
  wire chain    = ~first_rnd & (cnt_q[3:2] != 2'd0);
  wire sr_en    = kcyc & (cnt_q[1:0] == 2'd0);

  // MixColumns of the column in slots 0..3: b_i = a_{i+1} ^ t_{i+2} ^ xt(t_i)
  function [7:0] xt(input [7:0] v);
    xt = {v[6:0], 1'b0} ^ (v[7] ? 8'h1b : 8'h00);
  endfunction
  wire [7:0] t0 = s[0] ^ s[1];
  wire [7:0] t1 = s[1] ^ s[2];
  wire [7:0] t2 = s[2] ^ s[3];
  wire [7:0] t3 = s[3] ^ s[0];
  wire [7:0] mc0 = s[1] ^ t2 ^ xt(t0);
  wire [7:0] mc1 = s[2] ^ t3 ^ xt(t1);
  wire [7:0] mc2 = s[3] ^ t0 ^ xt(t2);
  wire [7:0] mc3 = s[0] ^ t1 ^ xt(t3);

  // datapath
  wire [7:0] a    = mc_en ? mc0 : s[0];
  wire [7:0] kb   = k[0] ^ (chain ? k[12] : 8'h00);
  wire [7:0] y    = a ^ kb;
  wire [7:0] sin  = pass ? y : k[13];
  wire [7:0] sout;
  aes_sbox #(.FAULT(FAULT_SBOX)) u_sbox (.x(sin), .y(sout));

  // Rcon for the key word computed in round rnd_q (0..9): 01,02,..,80,1b,36
  wire [7:0] rcon = rnd_q[3] ? {2'b00, rnd_q[0], 1'b1, ~rnd_q[0], rnd_q[0], 1'b1, ~rnd_q[0]}
                             : (8'h01 << rnd_q[2:0]);
  wire [7:0] k3_key   = k[0] ^ sout ^ ((cnt_q[1:0] == 2'd0) ? rcon : 8'h00);

  // next state / key
  wire [119:0] st_shift = state_q[119:0];   // slot i <= slot i+1 (i < 15)
  wire [127:0] ky_pass  = {key_q[119:0], kb};

  // Register next-state logic is written as AND-OR with one-hot selects that
  // are all 0 while rst_n is low: the synchronous clear then costs nothing
  // per flip-flop, and a "hold" is just one more AND-OR term.
  wire run      = rst_n & ~load;
  wire sel_ld   = rst_n &  load;
  wire sel_ps   = run & pass;            // shift (all bytes except mc slots)
  wire sel_psn  = run & pass & ~mc_en;   // shift in slots 0..2 when no MC
  wire sel_psb  = sel_ps & ~last_rnd;     // slot 15 <= SubBytes(a ^ kb)
  wire sel_psf  = sel_ps &  last_rnd;     // slot 15 <= a ^ kb (final AddRoundKey)
  wire sel_mc   = run & mc_en;           // MixColumns write-back to slots 0..2
  wire sel_sr   = run & sr_en;           // ShiftRows
  wire sel_hd   = run & ~pass & ~sr_en;  // hold (key cycles, idle, output wait)
  wire sel_hsr  = run & ~pass;           // row 0 under ShiftRows = hold
  wire sel_kp   = run & ~kcyc;           // key: byte rotation (pass / idle)
  wire sel_kk   = run &  kcyc;           // key: word-internal rotation

  wire [127:0] st_next;
  wire [127:0] ky_next;
  wire   [7:0] mcv [0:2];
  assign mcv[0] = mc1;
  assign mcv[1] = mc2;
  assign mcv[2] = mc3;
  generate
    for (gi = 0; gi < 16; gi = gi + 1) begin : g_next
      wire [7:0] nb_in  = in_block[127-8*gi -: 8];
      wire [7:0] nk_in  = in_key[127-8*gi -: 8];
      wire [7:0] nk_p   = ky_pass[127-8*gi -: 8];
      wire [7:0] ld_t   = {8{sel_ld}} & nb_in;
      if (gi < 3) begin : g_mc
        if (gi == 0) begin : g_r0
          assign st_next[127-8*gi -: 8] = ld_t | ({8{sel_psn}} & st_shift[119-8*gi -: 8]) |
                                          ({8{sel_mc}} & mcv[gi]) | ({8{sel_hsr}} & s[gi]);
        end else begin : g_rx
          assign st_next[127-8*gi -: 8] = ld_t | ({8{sel_psn}} & st_shift[119-8*gi -: 8]) |
                                          ({8{sel_mc}} & mcv[gi]) | ({8{sel_hd}} & s[gi]) |
                                          ({8{sel_sr}} & s[(gi + 4*(gi%4)) % 16]);  // ShiftRows source
        end
      end else if (gi % 4 == 0) begin : g_row0
        assign st_next[127-8*gi -: 8] = ld_t | ({8{sel_ps}} & st_shift[119-8*gi -: 8]) | ({8{sel_hsr}} & s[gi]);
      end else if (gi == 15) begin : g_s15
        // datapath input: SubBytes result, or the bare AddRoundKey in round 10
        assign st_next[7:0] = ld_t | ({8{sel_psb}} & sout) | ({8{sel_psf}} & y) | ({8{sel_hd}} & s[gi]) |
                              ({8{sel_sr}} & s[11]);  // ShiftRows source
      end else begin : g_rowx
        assign st_next[127-8*gi -: 8] = ld_t | ({8{sel_ps}} & st_shift[119-8*gi -: 8]) | ({8{sel_hd}} & s[gi]) |
                                        ({8{sel_sr}} & s[(gi + 4*(gi%4)) % 16]);  // ShiftRows source
      end
      if (gi % 4 == 3) begin : g_kw
        assign ky_next[127-8*gi -: 8] = ({8{sel_ld}} & nk_in) | ({8{sel_kp}} & nk_p) |
                                        ({8{sel_kk}} & ((gi == 3) ? k3_key : k[gi-3]));
      end else begin : g_kb
        // byte rotation and word rotation agree on these slots
        assign ky_next[127-8*gi -: 8] = ({8{sel_ld}} & nk_in) | ({8{rst_n & ~load}} & nk_p);
      end
    end
  endgenerate

  generate
    if (FPGA_STYLE == 0) begin : g_asic
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
        assign st_srv[127-8*gi -: 8] = s[(gi + 4*(gi%4)) % 16];
        if (gi < 3) begin : g_mc
          assign st_pv[127-8*gi -: 8] = mc_en ? mcv[gi] : s[gi+1];
        end else if (gi < 15) begin : g_sh
          assign st_pv[127-8*gi -: 8] = s[gi+1];
        end else begin : g_in
          assign st_pv[7:0] = last_rnd ? y : sout;
        end
        if (gi % 4 != 3) begin : g_kr
          assign ky_kv[127-8*gi -: 8] = k[gi+1];
        end else if (gi == 3) begin : g_k3
          assign ky_kv[127-8*gi -: 8] = k3_key;
        end else begin : g_kw
          assign ky_kv[127-8*gi -: 8] = k[gi-3];
        end
      end
      always @(posedge clk) begin
        if (!rst_n) begin
          state_q <= 128'd0;
          key_q   <= 128'd0;
        end else begin
          if (load)       state_q <= in_block;
          else if (pass)  state_q <= st_pv;
          else if (sr_en) state_q <= st_srv;
          if (load)       key_q <= in_key;
          else if (kcyc)  key_q <= ky_kv;
          else            key_q <= ky_pass;
        end
      end
    end
  endgenerate

  always @(posedge clk) begin
    if (!rst_n) begin
      busy_q  <= 1'b0;
      outv_q  <= 1'b0;
      rnd_q   <= 4'd0;
      cnt_q   <= 5'd0;
    end else if (load) begin
      busy_q <= 1'b1;
      outv_q <= 1'b0;
      rnd_q  <= 4'd0;
      cnt_q  <= 5'd0;
    end else begin
      if (out_ready) outv_q <= 1'b0;
      if (busy_q) begin
        if (last_rnd & pass & (cnt_q[3:0] == 4'd15)) begin
          busy_q <= 1'b0;
          outv_q <= 1'b1;
          rnd_q  <= 4'd0;
          cnt_q  <= 5'd0;
        end else if (cnt_q[4] & cnt_q[1] & cnt_q[0]) begin  // cnt_q == 19
          cnt_q <= 5'd0;
          rnd_q <= rnd_q + 4'd1;
        end else begin
          cnt_q <= cnt_q + 5'd1;
        end
      end
    end
  end
endmodule
